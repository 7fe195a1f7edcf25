"""Django's PostgreSQL backend with COMMIT and ROLLBACK under the request's database deadline (common.db)."""
