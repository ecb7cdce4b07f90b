"""Every SQL statement of silian: tables, the Database object, Alembic migrations and one repository module per
area — :mod:`.repository` (bulk import and export of hub tables), :mod:`.hub` (single hub-table reads),
:mod:`.records` (hub records one at a time), :mod:`.accounts` (users, tokens), :mod:`.audit`,
:mod:`.platform_posts` (posts, responses, open-post demand), :mod:`.partners` (partner recommendation),
:mod:`.scenarios`. Repository functions take a Connection and return plain rows, dicts, dataclasses or frames."""
