"""Compile a policy edition to SQL views over the audit tables (docs/audit.md, "Compiled SQL")."""
