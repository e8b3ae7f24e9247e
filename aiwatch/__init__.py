"""aiwatch: an open, self-hostable AI incident monitor.

The library is usable without the CLI::

    from aiwatch.store import Store
    from aiwatch.ingest import ingest
    from aiwatch import pipeline

    store = Store("sqlite:///aiwatch.db")
    ingest(store, ["news/", "https://example.org/feed.xml"])
    pipeline.process(store)
"""

__version__ = "0.1.0"
