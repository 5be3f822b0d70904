"""The web machinery: each request read once at its edge, the page and its guard, the view and page caches, the
downloads' callback, the filter bar's callback, the warm-up, and pages rendered in-process for tests and timing."""
