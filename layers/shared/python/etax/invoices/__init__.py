"""Invoice services (plan board C): e-invoices and mobile issuing (C8, C9), the national
verification service (C10). The invoice lottery (C11) is :mod:`etax.lottery`."""
