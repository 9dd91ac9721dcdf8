"""Reference figures for the DriftModels tests, computed once with scikit-learn and pasted into
Tests/DriftModelsTests (and docs/models.md). Run: /work/oracle-venv/bin/python oracle.py [csv]

On the fixture (or a simulator reference.csv): the same time-ordered split as `Trainer` (stable sort
on `day`, the last 20 % held out), the same encoding as `FeatureEncoder` (median imputation, a
missing indicator where the training part had missing values, standardisation by the population
sd of the imputed column, one-hot of levels seen at least 10 times plus __other__ and __missing__),
then LogisticRegression(C=1, lbfgs) and HistGradientBoostingClassifier(max_depth=1, 200 rounds,
learning rate 0.1, early_stopping=False); ROC AUC on the held-out part.
"""
import csv
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

NOT_FEATURES = {"transaction_id", "day", "timestamp", "label_arrival_day", "score", "decision", "is_fraud"}


def load(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    cols = {h: [r[i] for r in body] for i, h in enumerate(header)}
    return header, cols


def is_number(s):
    if s == "":
        return True
    try:
        float(s)
        return True
    except ValueError:
        return False


def main(path):
    header, cols = load(path)
    n = len(cols["is_fraud"])
    y = np.array([int(v) for v in cols["is_fraud"]])
    day = np.array([float(v) for v in cols["day"]])
    order = np.argsort(day, kind="stable")
    k = n - int(n * 0.2)
    tr, te = order[:k], order[k:]
    feats = [h for h in header if h not in NOT_FEATURES]
    numeric = [h for h in feats if all(is_number(v) for v in cols[h])]
    blocks_tr, blocks_te, hgb_tr, hgb_te, cat_mask = [], [], [], [], []
    for h in feats:
        if h in numeric:
            x = np.array([float(v) if v != "" else np.nan for v in cols[h]])
            a, b = x[tr], x[te]
            miss_tr = ~np.isfinite(a)
            med = np.median(a[~miss_tr]) if (~miss_tr).any() else 0.0
            ai = np.where(np.isfinite(a), a, med)
            bi = np.where(np.isfinite(b), b, med)
            mean, sd = ai.mean(), ai.std()
            sd = sd if sd > 1e-12 * max(1, abs(mean)) else 1.0
            blocks_tr.append(((ai - mean) / sd)[:, None]); blocks_te.append(((bi - mean) / sd)[:, None])
            if miss_tr.any():
                blocks_tr.append(miss_tr[:, None].astype(float)); blocks_te.append((~np.isfinite(b))[:, None].astype(float))
            hgb_tr.append(a); hgb_te.append(b); cat_mask.append(False)
        else:
            v = np.array(cols[h], dtype=object)
            a, b = v[tr], v[te]
            levels, counts = np.unique(a[a != ""], return_counts=True)
            kept = sorted(l for l, c in zip(levels, counts) if c >= 10)
            has_missing = (a == "").any()
            def onehot(arr):
                m = np.zeros((len(arr), len(kept) + 1 + has_missing))
                for i, s in enumerate(arr):
                    if s == "":
                        m[i, len(kept) + 1 if has_missing else len(kept)] = 1
                    elif s in kept:
                        m[i, kept.index(s)] = 1
                    else:
                        m[i, len(kept)] = 1
                return m
            blocks_tr.append(onehot(a)); blocks_te.append(onehot(b))
            codes = {l: i for i, l in enumerate(levels)}
            hgb_tr.append(np.array([codes.get(s, np.nan) if s != "" else np.nan for s in a], float))
            hgb_te.append(np.array([codes.get(s, np.nan) if s != "" else np.nan for s in b], float))
            cat_mask.append(True)
    Xtr, Xte = np.hstack(blocks_tr), np.hstack(blocks_te)
    lr = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-10, max_iter=10000).fit(Xtr, y[tr])
    auc_lr = roc_auc_score(y[te], lr.predict_proba(Xte)[:, 1])
    Htr, Hte = np.column_stack(hgb_tr), np.column_stack(hgb_te)
    hgb = HistGradientBoostingClassifier(max_depth=1, max_iter=200, learning_rate=0.1, early_stopping=False,
                                         categorical_features=np.array(cat_mask)).fit(Htr, y[tr])
    auc_hgb = roc_auc_score(y[te], hgb.predict_proba(Hte)[:, 1])
    print(json.dumps({"rows": n, "train_rows": int(k), "test_positives": int(y[te].sum()),
                      "encoded_columns": int(Xtr.shape[1]),
                      "logistic_auc": auc_lr, "hgb_stumps_auc": auc_hgb, "hgb_rounds": int(hgb.n_iter_)}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "transactions.csv")
