"""Extract -> validate -> pseudonymise -> derive -> load, one module a step, plus the demo."""
