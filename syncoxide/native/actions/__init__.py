"""CPython actions on local files: images, PDFs, office documents, archives, audio and video.

Each runs in its own process under a time and memory limit (``isolated.py``); see
``runner.run_action`` for the one entry point and docs/automation.md for the whole picture.
"""
