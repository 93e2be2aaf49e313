"""The audit: many people at once (a school, a district, a province) in an embedded database, each
edition compiled to SQL (sql/), with imports, summaries and reports around it (docs/audit.md)."""
