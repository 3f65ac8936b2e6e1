"""One module per report page: findings text, charts and table formatting over an analysis's
result; ``common`` (headline, tables, banner) and ``style`` (one chart style) serve them all."""
