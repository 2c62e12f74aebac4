"""The idea space (plan action A2, 创意空间; docs/usage/ideas.md): anyone signed in submits an
idea for improving tax work, similar ideas suggested first; verified accounts support it, once
each; enough supports within its window send it to the officers' review, whose decisions —
adopted, declined with a public reason, delivered — are on its public trail. Officers hide an
idea with a reason (kept, and auditable) and merge duplicates, the supports kept. The rules:
:mod:`.rules`; the keys of ``IDEAS_TABLE``: :mod:`.repository`.
"""
