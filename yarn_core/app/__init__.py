"""The app side of YaRN Explorer: navigation, URL-bound parameters, the shared settings, lesson
furniture, figure primitives and one view module per page (``views/<page stem>.py``).

Only ``app.py`` and ``pages/`` import this package; the core (``yarn_core`` without ``app``) never
imports it, nor streamlit or plotly.
"""
