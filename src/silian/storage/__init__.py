"""SQLAlchemy tables, the Database object, repository functions and Alembic migrations."""
