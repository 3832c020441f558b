"""The project-wide budget of Google API calls (Sheets, Drive): a sharded token bucket.

`bucket.py` is the pure arithmetic; `budget.py` keeps the shards (Firestore or this process)
and is what `shared/sheets/gsheets_client.py` draws from before every request.
"""
