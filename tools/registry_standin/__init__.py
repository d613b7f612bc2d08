"""Stand-in for the national population database (CSDL quốc gia về dân cư): a small separate HTTP process.

Run: `python -m tools.registry_standin --port 8091` from the repository root. See tools/README.md."""
