"""Role lookups remembered for the length of one request.

Filing a request asks "which roles does this user hold for this tenant?" from the view, the
selector and the service: the same two queries three times. Inside a request (see
`accounts.middleware.PolicyMemoMiddleware`) the answer is kept; outside one (tasks, shell,
tests calling policies directly) every call asks the database, as before. A write to roles,
memberships or relationships forgets what was kept (`accounts.signals`).
"""

from helpdesk.scoped_memo import ScopedMemo

_memo = ScopedMemo("policy_memo")

request_scope = _memo.scope
remembered = _memo.remembered
forget = _memo.forget
