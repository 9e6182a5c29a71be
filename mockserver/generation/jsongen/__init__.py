"""JSON generation from a JSON Schema (2020-12): a seeded walk, checked by jsonschema, under a work budget."""

from mockserver.generation.jsongen.generate import DEFAULT_SCHEMA, SchemaGenerationError, generate_json_text

__all__ = ["DEFAULT_SCHEMA", "SchemaGenerationError", "generate_json_text"]
