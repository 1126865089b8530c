"""What the catalogue, applications and results parts share: written-once records, the
workflow engine, notice numbers and e-mail."""
