"""Peer timings for `driftlab bench --only models`: scikit-learn and LightGBM on a table of the same
design as ModelBenchmarks.syntheticTable (1,000,000 rows; 16 numeric features, two with missing
values; 4 categoricals of 12, 3, 3 and 20 levels; the same nonlinear risk). Prints JSON: wall seconds (`_s`) and process CPU seconds (`_cpu_s`, all threads).

Run: /work/oracle-venv/bin/python docs/bench/peers_models.py [rows] [parts]
parts: a comma-separated subset of encoding,lbfgs,hgb,lightgbm (default: all), e.g. `1000000 lightgbm`
to time LightGBM alone right after `driftlab bench --only models`.
The data are drawn with numpy, not our generator, so values differ but sizes and shapes match.
"""
import json
import sys
import time

import numpy as np

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
parts = set((sys.argv[2] if len(sys.argv) > 2 else "encoding,lbfgs,hgb,lightgbm").split(","))
rng = np.random.default_rng(42)
amount = rng.lognormal(3.5, 1.0, n)
distance = rng.exponential(15, n)
age = rng.uniform(1, 4000, n)
hour = rng.integers(0, 24, n).astype(float)
device = rng.random(n) * rng.random(n)
ip = rng.random(n) * rng.random(n) * rng.random(n)
c1h = rng.poisson(0.3, n).astype(float)
c24h = c1h + rng.poisson(2, n)
sum24 = amount * (1 + c24h)
ratio = amount / rng.lognormal(3.5, 0.6, n)
foreign = rng.binomial(1, 0.1, n).astype(float)
new_merchant = rng.binomial(1, 0.2, n).astype(float)
new_device = rng.binomial(1, 0.1, n).astype(float)
cvv = rng.binomial(1, 0.97, n).astype(float)
avs = rng.binomial(1, 0.92, n).astype(float)
noise = rng.normal(size=n)
distance[rng.random(n) < 0.03] = np.nan
device_served = device.copy()
device_served[rng.random(n) < 0.05] = np.nan
cards = [12, 3, 3, 20]
cats = [rng.integers(0, k, n) for k in cards]
f = (-6.0 + 1.2 * (amount > 400) + 2.5 * device + 2 * np.sqrt(ip) + 0.9 * foreign * new_merchant
     + 1.1 * new_device * (cats[1] != 0) + 0.8 * (c1h >= 2) + 1.0 * (1 - cvv) + 0.5 * (1 - avs)
     + 0.7 * (cats[0] >= 9) + 0.6 * (hour <= 5) - 0.5 * (age > 365) + 0.8 * (cats[3] >= 17))
y = rng.binomial(1, 1 / (1 + np.exp(-f)))
numeric = np.column_stack([amount, distance, age, hour, device_served, ip, c1h, c24h, sum24, ratio, foreign,
                           new_merchant, new_device, cvv, avs, noise])
raw = np.column_stack([numeric] + [c.astype(float) for c in cats])

out = {"rows": n, "positives": int(y.sum())}

# Encoding as scikit-learn users do it: impute + indicator, scale, one-hot (lbfgs fits the result).
if parts & {"encoding", "lbfgs"}:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    t, c = time.perf_counter(), time.process_time()
    encoder = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), list(range(16))),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(range(16, 20))),
    ])
    X = encoder.fit_transform(raw)
    out["sklearn_encoding_s"] = time.perf_counter() - t
    out["sklearn_encoding_cpu_s"] = time.process_time() - c
    out["encoded_columns"] = int(X.shape[1])

if "lbfgs" in parts:
    from sklearn.linear_model import LogisticRegression
    t, c = time.perf_counter(), time.process_time()
    lr = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(X, y)
    out["sklearn_lbfgs_fit_s"] = time.perf_counter() - t
    out["sklearn_lbfgs_fit_cpu_s"] = time.process_time() - c
    out["sklearn_lbfgs_iterations"] = int(lr.n_iter_[0])
    t, c = time.perf_counter(), time.process_time()
    lr.predict_proba(X)
    out["sklearn_lbfgs_predict_rows_per_s"] = n / (time.perf_counter() - t)
    out["sklearn_lbfgs_predict_rows_per_cpu_s"] = n / (time.process_time() - c)

if "hgb" in parts:
    from sklearn.ensemble import HistGradientBoostingClassifier
    t, c = time.perf_counter(), time.process_time()
    hgb = HistGradientBoostingClassifier(max_depth=1, max_iter=200, learning_rate=0.1, early_stopping=False,
                                         categorical_features=[False] * 16 + [True] * 4).fit(raw, y)
    out["sklearn_hgb_stumps_fit_s"] = time.perf_counter() - t
    out["sklearn_hgb_stumps_fit_cpu_s"] = time.process_time() - c

if "lightgbm" in parts:
    import lightgbm as lgb
    for threads in (1, 2):
        params = {"objective": "binary", "num_leaves": 2, "learning_rate": 0.1, "num_threads": threads, "verbose": -1,
                  "max_bin": 255, "min_data_in_leaf": 20}
        t, c = time.perf_counter(), time.process_time()
        booster = lgb.train(params, lgb.Dataset(raw, y, categorical_feature=[16, 17, 18, 19]), num_boost_round=200)
        out[f"lightgbm_200_stumps_fit_{threads}_thread_s"] = time.perf_counter() - t
        out[f"lightgbm_200_stumps_fit_{threads}_thread_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    booster.predict(raw, num_threads=1)
    out["lightgbm_predict_1_thread_rows_per_s"] = n / (time.perf_counter() - t)
    out["lightgbm_predict_1_thread_rows_per_cpu_s"] = n / (time.process_time() - c)
print(json.dumps(out, indent=1))
