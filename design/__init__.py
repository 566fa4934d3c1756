"""The design layer: meta-models, spec loading, validation, export and code generation."""
