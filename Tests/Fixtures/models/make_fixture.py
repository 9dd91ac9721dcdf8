"""Writes transactions.csv: a deterministic, simulator-like fraud table for the model tests.

Run from this folder with the oracle venv: python make_fixture.py
20 features like DriftSim's served features (lognormal amounts, 5 categoricals, booleans, velocity
counts, risk scores, some missing values), a hidden nonlinear risk with interactions and thresholds,
about 3 % positives, plus the non-feature columns transaction_id, day and label_arrival_day.
"""
import numpy as np

rng = np.random.default_rng(20261122)
n = 24000
day = np.sort(rng.integers(0, 60, n))
hour = rng.integers(0, 24, n)
categories = ["grocery", "fuel", "restaurant", "travel", "electronics", "fashion", "gaming",
              "pharmacy", "utilities", "jewelry", "digital_goods", "other"]
cat_p = np.array([18, 10, 14, 6, 6, 8, 4, 6, 8, 2, 5, 13], float); cat_p /= cat_p.sum()
merchant_category = rng.choice(categories, n, p=cat_p)
channel = rng.choice(["card_present", "online", "mobile"], n, p=[0.55, 0.3, 0.15])
card_type = rng.choice(["credit", "debit", "prepaid"], n, p=[0.5, 0.42, 0.08])
customer_segment = rng.choice(["standard", "premium", "student", "business"], n, p=[0.6, 0.15, 0.15, 0.1])
countries = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "NG", "IN", "CN", "RU", "MX", "CA", "ZZ", "XK"]
c_p = np.array([60, 6, 5, 5, 3, 3, 2, 3, 1.5, 2, 2, 1, 2, 4, 0.2, 0.3]); c_p /= c_p.sum()
merchant_country = rng.choice(countries, n, p=c_p)
is_foreign = (merchant_country != "US").astype(int)
amount = np.round(rng.lognormal(3.5 + 0.8 * (merchant_category == "travel") + 0.9 * (merchant_category == "jewelry"), 1.0), 2)
distance = np.round(rng.exponential(15, n) * (1 + 20 * is_foreign), 1)
new_merchant = rng.binomial(1, 0.2, n)
new_device = rng.binomial(1, 0.08 + 0.1 * (channel != "card_present"), n)
account_age = rng.integers(1, 4000, n).astype(float)
cvv_match = rng.binomial(1, 0.97, n)
avs_match = rng.binomial(1, 0.92, n)
device_risk = np.round(rng.beta(1.2, 8, n), 4)
ip_risk = np.round(rng.beta(1.0, 10, n), 4)
txn_count_1h = rng.poisson(0.3, n)
txn_count_24h = txn_count_1h + rng.poisson(2.0, n)
amount_sum_24h = np.round(amount + rng.lognormal(3.8, 1.0, n) * txn_count_24h, 2)
amount_ratio_30d = np.round(amount / rng.lognormal(3.6, 0.6, n), 3)

# Hidden risk: thresholds and interactions, so neither model family is exactly right.
f = -7.8 + 2.0 * (0.0
     + 1.2 * (amount > 400) + 0.6 * np.log1p(amount) / 6
     + 1.1 * new_device * (channel != "card_present")
     + 0.9 * is_foreign * new_merchant
     + 2.2 * device_risk + 2.0 * ip_risk ** 0.5
     + 0.8 * (txn_count_1h >= 2) + 0.25 * np.minimum(txn_count_24h, 8) / 4
     + 1.0 * (cvv_match == 0) + 0.5 * (avs_match == 0)
     + 0.7 * np.isin(merchant_category, ["electronics", "jewelry", "digital_goods", "gaming"])
     + 0.5 * (card_type == "prepaid") - 0.4 * (customer_segment == "premium")
     + 0.9 * np.isin(merchant_country, ["NG", "RU", "ZZ", "XK"])
     + 0.6 * ((hour >= 0) & (hour <= 5))
     - 0.5 * (account_age > 365)
     + 0.6 * (amount_ratio_30d > 3) * (new_merchant == 1))
p = 1 / (1 + np.exp(-f))
is_fraud = rng.binomial(1, p)
label_arrival_day = np.where(is_fraud == 1, day + rng.integers(5, 60, n), day + 90)

# Missing values: some in distance and device risk (upstream outages), some categories missing.
distance = np.where(rng.random(n) < 0.03, np.nan, distance)
device_risk = np.where(rng.random(n) < 0.05, np.nan, device_risk)
card_type = np.where(rng.random(n) < 0.01, "", card_type)

cols = [
    ("transaction_id", np.arange(1, n + 1)), ("day", day), ("hour", hour),
    ("amount", amount), ("merchant_category", merchant_category), ("channel", channel),
    ("card_type", card_type), ("customer_segment", customer_segment), ("merchant_country", merchant_country),
    ("is_foreign", is_foreign), ("distance_from_home_km", distance), ("new_merchant", new_merchant),
    ("new_device", new_device), ("account_age_days", account_age), ("cvv_match", cvv_match),
    ("avs_match", avs_match), ("device_risk_score", device_risk), ("ip_risk_score", ip_risk),
    ("txn_count_1h", txn_count_1h), ("txn_count_24h", txn_count_24h), ("amount_sum_24h", amount_sum_24h),
    ("amount_ratio_30d", amount_ratio_30d), ("is_fraud", is_fraud), ("label_arrival_day", label_arrival_day),
]


def cell(v):
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return ""
        return repr(float(v))
    return str(v)


with open("transactions.csv", "w", newline="") as out:
    out.write(",".join(name for name, _ in cols) + "\n")
    for i in range(n):
        out.write(",".join(cell(values[i]) for _, values in cols) + "\n")
print("rows", n, "positives", int(is_fraud.sum()), "rate", is_fraud.mean())
