"""The contract data the mock owns: the JSON Schemas of ``schemas/`` and their loader (standard library, jsonschema
and referencing only), so the contract kit can depend on it without importing the mock's web layer."""
