"""The benchmarking exchange: the pack format (packs, schema), its signatures (signing), the keyring and the
stored peers (store), and its commands (cli). An exchange protocol between forces, not an outcome measure:
``metrics`` knows nothing of it; it builds on ``metrics`` (the summary it carries) and ``warehouse`` (its tables).
"""
