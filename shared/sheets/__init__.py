"""Sheet sources (local CSV/XLSX, Google Sheets), change detection and the poll itself."""
