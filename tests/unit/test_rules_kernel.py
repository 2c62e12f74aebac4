"""``etax/rules/`` is the shared kernel only: rules that several contexts use.

A context's own rules (and their data) live in that context (``etax/<context>/``); adding one
here again fails this test. To grow the kernel, add the module to :data:`KERNEL` with a reason.
"""

from __future__ import annotations

from importlib import resources

KERNEL = {
    "__init__.py",
    "dates.py",            # the business day in Asia/Shanghai: every context counts in it
    "invoice_numbers.py",  # invoices, supply
    "invoice_types.py",    # invoices, verification, qr, supply
    "money.py",            # every context with amounts
    "qr.py",               # invoices, verification
    "refusal.py",          # the base of the kernel's refusals (and the lottery's)
    "resident_id.py",      # acceptance, refunds, filing, lottery, certificates, invoices
    "tax_offices.py",      # refunds, certificates, filing, lottery
    "text.py",             # every context's signed text
    "types.py",            # every context's requests: yuan, rates, resident IDs at the edge
    "uscc.py",             # registration, invoices, supply, filing, certificates, acceptance
}


def test_rules_holds_the_shared_kernel_only() -> None:
    found = {entry.name for entry in resources.files("etax.rules").iterdir()
             if entry.name != "__pycache__"}
    assert found == KERNEL, (
        f"not kernel: {sorted(found - KERNEL)}; missing: {sorted(KERNEL - found)}")


def test_the_kernel_says_what_it_is() -> None:
    import etax.rules

    assert etax.rules.__doc__ is not None
    assert "kernel" in etax.rules.__doc__
