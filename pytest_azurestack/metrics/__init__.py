"""What a run measured on the wire: per-test requests, retries and long-running operations
(``meter``), the live status line of a slow operation (``progress``), and their hooks (``plugin``)."""
