"""CRM use cases; each takes a UnitOfWork and does one transaction's worth of work."""
