"""The serious tax violators list (重大税收违法失信主体, plan action D12): cases checked against
the listing criteria, approved by a second officer, published by the deadline with the
published fields only, removed at the end of the period or early (docs/usage/violators.md)."""
