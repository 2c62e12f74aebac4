"""Tax certificates issued online as signed documents (plan action B7): the tax residency
certificate and the tax payment certificate (rules: :mod:`etax.certificates.rules`).

``CERTIFICATES_TABLE`` — partition key ``id`` (the certificate number, ``RC…`` or
``TP…``): the signed canonical document (``doc``, ``signature``), its ``owner`` (credit
code or resident ID), the owner's ``tax_office``, ``type``, ``status`` and ``issued_at``.
Read by id only (the owner's download, anyone's verification); written once, conditionally.
"""
