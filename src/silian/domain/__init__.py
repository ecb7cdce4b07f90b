"""Pure entities, enums, code tables and validators. No I/O."""
