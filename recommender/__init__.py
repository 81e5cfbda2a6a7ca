"""mentor-match's library: domain, storage, retrieval, ranking, matching.

OpenMP's idle threads sleep instead of spinning, unless the user chose otherwise: FAISS
(and torch) run their parallel regions on OpenMP, whose threads by default spin for a
while after each region waiting for the next. A request's FAISS calls are short and
frequent, so the spinning thread keeps a core busy that the request's own Python work
(or another request) needs; on this project's two-core machine a sample-program
suggestion took 11.1 ms with spinning threads and 3.9 ms with sleeping ones (1.5 of it in
the explanations' few hundred dot products). OpenMP reads the policy once, when its library
loads, so it is set here, before any module of the package imports FAISS or torch.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
