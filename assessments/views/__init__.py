"""The pages, one module per area: `home` (start page, sign-in, privacy, /healthz), `assessments`, `wizard`
(+ `wizard_notes`), `review`, `register`, `auditor`, `reports`, `accounts` (Entra ID sign-in). Every view asks
`assessments.permissions` first; writes go through `assessments.services`.
"""
