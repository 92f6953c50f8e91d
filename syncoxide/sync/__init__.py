"""The sync planner: pure functions from listings (and saved pair state) to a Plan.

Nothing here does IO or imports an event loop; the engine (``syncoxide.engine``) applies plans.
"""
