"""The supervisors' audit of an archive of published 行政处罚决定书 (issue 15, "执法+监督").

``readers`` turns JSONL / CSV / XLSX exports (incl. the 双公示 columns) into :class:`readers.Decision` records;
``checks`` audits one decision (citations as of the dates, fine in the statutory range, procedure, limitation,
retrieval agreement); ``groups`` finds 同案不同罚 across decisions in DuckDB; ``report`` writes the offline HTML page,
the findings JSONL and the CSV summary; ``runner`` runs it resumably on a process pool or a Ray cluster.
Nothing here imports ``api``: the CLI builds an :class:`checks.AuditConfig` of paths and hands it down.
"""
