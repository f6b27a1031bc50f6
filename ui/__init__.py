"""The web UI (Gradio, mounted at /ui by assistant/api/app.py through ``ui.app.mount_ui``).

``backend`` acts (through the same services as the API), ``session`` keeps sign-ins on the server,
``render*`` turn results into escaped HTML, ``layout``/``handlers``/``app`` are the Gradio parts.
Nothing here is imported eagerly, so the pure modules load without Gradio.
"""
