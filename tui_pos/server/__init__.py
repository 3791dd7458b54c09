"""The store server: PostgreSQL behind a small versioned HTTP API (``tui-pos server ...``).

Needs the optional extra ``tui-pos[server]`` (psycopg 3, starlette, uvicorn). Tills reach
it through :mod:`tui_pos.sync`, which needs only the standard library.
"""
