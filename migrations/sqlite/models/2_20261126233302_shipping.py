from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "courier_account" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "courier" VARCHAR(24) NOT NULL,
    "label" VARCHAR(80) NOT NULL,
    "base_url" VARCHAR(255) NOT NULL,
    "credentials_sealed" TEXT NOT NULL,
    "is_default" INT NOT NULL,
    "active" INT NOT NULL,
    "reference" JSON NOT NULL,
    "reference_synced_at" TIMESTAMP,
    "last_test_ok_at" TIMESTAMP,
    "last_error" VARCHAR(500) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE
) /* A store's account at one courier; credentials sealed with a key from SECRET_KEY. */;
        CREATE TABLE IF NOT EXISTS "shipment" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "courier" VARCHAR(24) NOT NULL,
    "reference" VARCHAR(64) NOT NULL UNIQUE,
    "state" VARCHAR(12) NOT NULL,
    "tracking" VARCHAR(64),
    "stopdesk_id" VARCHAR(64) NOT NULL,
    "cod_amount" INT NOT NULL,
    "fee" INT,
    "label" BLOB,
    "label_type" VARCHAR(40) NOT NULL,
    "status" VARCHAR(24) NOT NULL,
    "raw_status" VARCHAR(120) NOT NULL,
    "raw_reason" VARCHAR(300) NOT NULL,
    "status_at" TIMESTAMP,
    "last_error" VARCHAR(500) NOT NULL,
    "next_poll_at" TIMESTAMP,
    "poll_locked_until" TIMESTAMP,
    "poll_locked_by" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "account_id" INT REFERENCES "courier_account" ("id") ON DELETE SET NULL,
    "order_id" INT NOT NULL UNIQUE REFERENCES "order" ("id") ON DELETE CASCADE
) /* The parcel of an order. `reference` is our idempotency key at the courier: a retry */;
CREATE INDEX IF NOT EXISTS "idx_shipment_courier_44c6d9" ON "shipment" ("courier", "tracking");
CREATE INDEX IF NOT EXISTS "idx_shipment_next_po_1ff9a2" ON "shipment" ("next_poll_at");
        CREATE TABLE IF NOT EXISTS "sms_gateway" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "base_url" VARCHAR(255) NOT NULL,
    "username" VARCHAR(120) NOT NULL,
    "password_sealed" TEXT NOT NULL,
    "active" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "store_id" INT NOT NULL UNIQUE REFERENCES "store" ("id") ON DELETE CASCADE
) /* A store's SMS Gateway for Android endpoint (local, cloud or private server). */;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "sms_gateway";
        DROP TABLE IF EXISTS "shipment";
        DROP TABLE IF EXISTS "courier_account";"""


MODELS_STATE = (
    "eJztXWtz27a2/SsYfbnpjJuxJctx0zN3RnbU1LeOnbHV3vYkZxiIhCRekwTLhxXNufnvB+"
    "BD4gOgCImUKQRf/CCxIWoBBPZe+4F/92xsIMt//RhgD/Xegn/3HGjTP/I3TkAPuu7mMr0Q"
    "wKkVtfTXTaZ+4EE9IBdn0PIRuWQgX/dMNzCxQ646oWXRi1gnDU1nvrkUOubfIdICPEfBAn"
    "nkxqd/kcumY6CvyE//dZ+0mYksI/egpkE/O7quBSs3unbjBL9EDemnTTUdW6HtbBq7q2CB"
    "nXVr0wno1TlykAcDRLsPvJA+Pn265Gum3yh+0k2T+BEzMgaawdAKMl93qm2u9TTt7n6iPY"
    "4nmtYTAEjHDgWXPKofffs5fYQf+2fnb84vBxfnl6RJ9JjrK2++xR+9ASYWjOC5m/S+Rfdh"
    "AOMWEcYbUH0rnJdhvV5Aj41r2r6ALHnkIrIpjt2F1oZfNQs582BB/j2/rMDxj9HD9a+jh1"
    "fnlz/QD8Rk8sevxF1ypx/dolBvoI1+C0Cbtm8G2vTCBtvNq3pwcM/6pzXQJa248Eb38vha"
    "0BGaumn7w+Hbg17vIPj2a6Db52LbLyKLlwQLDdnQtEQALogdEOcDoTw8r4Pz8JyPNL2Xx1"
    "oPybZqawYmsDkiaJcEd8I7WXC7uCL3h4NacA8q4B4U4YaWhZfI0JamBVfQLwP+P4/3d2zA"
    "GaIFyA1TD8D/A8v0S3pGY1P9H7PQ0SmwYBqaVmA6/mv6ef/d1itQMQQUKtqz7ft/W1nkX3"
    "0Y/VkclOvb+6sIMuwHcy/qJergqrSq+4GGPYOsJE5oT5EnoPQxZbfrgE2Nzdnp6Wmn1cAN"
    "ykboWqZOvj+ZzY6Bl5ptOmGAGO8DF+yqLg6H+eBYEHewBh1/SaamZdpmIAA0Q/Jw+B4LvL"
    "oFTXuHWVySOxy0/WPB1iNLNpl9lBEoI3uFsYWgw0a3IFnAdkpE2wJ3feWwW+LV/f1tbku8"
    "upkUNsLfP1yNia0T7Y+kkRkgNuq+STShQHNwYM7oOksekjGxK+HndaHGQWAcdA9RTDTIWL"
    "PfkTuBaSPO2pKTLOqKiejr9I9jNPLJFzTuHWvVi+2EigGZ3HwYP05GHz7mRuXdaDKmd/rR"
    "1VXh6quLghK57gT8783kV0D/Bf+8vxsX9cp1u8k/e/SZYBhg8hYsNWhkTJr0aoraN8o8zp"
    "4yNBm9MIX60xJ6hpa7k6FPEVU0WW9mIvjLbw/Iit49xixIyNcPKNVWj2wGfEvnfHp1MxMy"
    "xK3zbDJ3ZRGIbqJOZIUIuqb2hFZ7YjRyzd/QSlaMZmjfOfQOWeYz8la/IGknkuthI9SDPY"
    "H6GPciK0jP0DOhsy9If8S9yApSzC/uvbVdJ93IClNEN+2J0T3tQ1aATAPZLg6Qo68a2OJu"
    "Nr1JvNXpC7jv6jRBFpp70L5eQHmXKBx6JvI0qJO/9l7Pr+PeRnFnMmFG7RjcxzzLJn8rw0"
    "DYvjYnX38JV3xk7x00weTHdnwfbf/9pjdBv1SXobX7dgFaGzpwHj0l7Y4K5w09RvzNxgTk"
    "B+DYmzbbInB6I5CuACD0kQeWCwymyMLO3AcBBhBE0TwA+iBy2wLsAfLITvC6VwBkv54Y8T"
    "6fNoFEQdKxRjvWTKP3LxUM9ILBQKXhKL/15pyLMkv6cGx6+7D/1O8PBm/6p4OLy+H5mzfD"
    "y9M1/uVbVQNxdfOejsVJltpiOIw6Hz50oLCLs36d0CzSqiJ4qBSc5WFLCN20vYTBWXXQ5W"
    "NbQpbsSuazqKNoI3RA30S6dB+ta+L/sOns5JnICSrHRNcdEzm3INWdmHszd2POisi0Ie+l"
    "B5WcPQWIy/j+Qq6ac+c3tIpgviGPBB2dtWgVQ+qPDF6esUMue3C5VsZz84p8e/KdUbxSXY"
    "8er0fvxr1vfAeakEkqaGQlriKGkbVxIvGNLHPTRqU5HNMbfVJl2eAnJBRduxaQLtHhok4Q"
    "8wU/hvmiFMKsdOm2dGkVe/I9qnjoq2uS3nYY9bykhKN+JKOcYlI5zKG/05udEWtggLvJs0"
    "sxvspSU5aastQqLbUkYI1hqW1C2fiWWhI0V88fRlUFAMHjr6Mf+8MLgGeAGGbAR0RRCoDp"
    "x04s4+foquuhmfkVzMio+tEFDy/LfrFGelSGYrcMxXigRKyZjYR0puLZRR3HS3GPzfhdLo"
    "oGTfx2aAvoL0QwLohJaDg2b5Ur25EPvby2o4ee8dNOo56XVKaFMi06/hIr00KZFnzTIpvr"
    "wbAvCqkgfCPDSBpqM1TPKdQjXQKXxslFdSLAq4uffrShC3TS9w8AOgZIuwR0qvwM7n6/vQ"
    "U2go4PHBwQO2KGiN1ArQQPla2OxnuvjtCLP0aj3avgvBe1TLIjUUL30YaWxYW4ICrT8j/o"
    "v7lYI03/qQL58cPo9rYcRrPANkpf75qTNiuyE5wdU44ary+C/CdBSLMiClJGPQCl8ymdT+"
    "l8VTpfmrbK0PcyGa18Xc/NNGo09iejUEUFNJUm9f3WPH3pJTQfr1KnLuclvyznZakqZ/fT"
    "Fg5In9eqenpRUfX0ooRv9slKME/QV752lRWTIEmkis8b/znJUXmlwoRrOu/2/u592rxYrT"
    "APvOuZuog+u26vNC+GNusucICF3GypgARTN79MDM/qlO8lrbjLRHRPZeGoAmGdWzXkdbQp"
    "c1yZ4xKY46ooUrPVMwQZixQuBmORQZLPWDxnGrXGWDyFirB4WcKCjICAqpw0l9Cibj5KCr"
    "ucwrr8cwAyIqr+f7WZvUP9f2VmN+w00p/EVNS4vaowX4RSWdQHs6gTP4yYdZUXUquBciG/"
    "hM2acSHuabXKV4P3pGC35t9YtuVamr6KDzgQHxCfo2SZzr5Vt6PqtrekH4kgb5UUWJdMZr"
    "AC2XLKfFpAz7aqkRoX5aNFYaVJLUfHAA72bEhMC2SAV+PXZ8R0Ai4ZXUZI6g7y1YxD1E5x"
    "Di+bCBeNQQnXSgedI68nv+lEOBUm0e7hsFOLLMWUGEGsKqZVJltBUp2VJGC4rbHTPAR9Vo"
    "QKf4azZKXz9fdP68x10op/pulpaa4rBzQffeWAVsa8ckAfj8GpTlI5nJ0Zg8UwMtco8i1M"
    "vG7Slts5OcG5aAVmHdMBDEK/RxqUbMeT3N6WtIha0zvQsiiC0S1lVR7SqhQ+0vslzvHuPL"
    "7ZHSqd1GU1e0ywK21QBX0glT6gou0ix6AQiSHc+zi+e3dz9/4tSOQ/O9f3d7/cPHwYv3sL"
    "CMoz07OR8dn5+HB/PX58jJt6WEe+H7V+/PXm40fa1l+Yrktbvhvf3vwxfqDXkpxpevV6dH"
    "c9vr2NeqWgWRa9+jCe/P5wRy96KAg9J7YNX55GIA/tMzMBuC9URuJwb9TZkbxOipVpl5VR"
    "pGKrq4EqEdBWiYAMPNrwcg9wE2mFb4HCwrYdOogzdfnrQ1FOwmWi6ZLiCWKiW11RTkakG0"
    "+GhYbhEQVUBOeMiIQQD2vx38MK/ntY5r/XJZoipASwLglKiHjDy4eDAzENOWkvnSenlZns"
    "h9MAB9AS4fQzIjJpFQ2WIsoXcKuJa1FMYcvAVnSyqpm6NVhfo4qWGYjHLTCkVeyCQOyCj0"
    "OPlXlSkWe1ljjg7hY5OmYejt+YY2QpZuTDked6yUtfF+2CmISqWgs1wC0TOYFmukKWXlZI"
    "Or3tfFgD5PMhF2R6qwAytCwNkjXXdlnZ09zNsCSncq5KfDzWoOMvmWEBfJdhTkiBWgTVgn"
    "6gRZMPhwHRF4T2PKawdItEv85K3OevxP3SSrzBTTxKryiravN3uTa/bkEyBoY2XTGD86r2"
    "3YKgdK9VGwrOGjNhQrssKh3gZ/069B9pVeHELXsQKHDa7odUsuTVktbpJS0TMCc62HlRNc"
    "5dHmcjdC1TJ9BreCZClRbEVPV2loM79ExW5GOVx3UtIt3G1LyCTYOQn5K4wroIZ2Wkg1id"
    "KHfI5ULePKPQNXYc9bykGvWujDpDF0iePvOuJxUExBLMClLKy6eK8LSGqcrb48LbXN4ea0"
    "loANhsFRNJsS0shTl4H8jq/HBzPamXF6lK8LBTI7NzEz2jvUsXRyCNaUeyomQayHZxgBx9"
    "pT2h1Z543Wx6I2++rJjpBI09gbom7T4g34dzad8/SvPtjZJljWJvuEwoCSVwZ1SYhenaiB"
    "Uhk2J676AJJj+2I/uY6eu4WLhKVEUz3aP9j5ftnm6OWzLeo3p4UbtG095VpbOXrHSWlKEU"
    "dSAW5SSMSGvlBLPkzAKNQIAYwcN8wEuC0nG2rZSHUqcHtMaIk+8ZaKIV6/NCis9hcGR/h+"
    "Q9N4OVAKpZEYUpA9NYfxHSILIiClMGpumOJIRqXkjhup3PXReb2pN2lK062EmBc8y+r9v5"
    "3MzZUXviKt+hX0Vk8++sMJnbehW3mLbkGbdrUnObdYvWDbcWDZ8sEKBuW2oQg1ePH8fX4H"
    "N4egrfDF6f//AWIJo7CfQFdOYILM1gAZYLDGxoIGAG5RLie/fWsFF9Zc6/F7v6p35/MHjT"
    "Px1cXA7P37wZXp6uV+/yrapl/OrmPV3Jc8rzdutbPKxAhRN0K5ygThCJaGUGiQsyDOqc9j"
    "zgH/Y8KJ31PPOwrVVVAuQkVObFdoK6Y3xx26mrZIaL45wTUihvR5noHdjTnsi3E4E5LyXh"
    "wtEW0GJZSlkZ6fjX5hnCGC5R10JeSjqYW0lLUpWJUnRPa3kRaDM+vqeMMltEhS8DzD8nN2"
    "3fjUNy6cdKc0iu4nIV59gRZmw75/gytFghOo1BjZXj1/j0WCFyrh5F9jGcWqYOCHbwCQEP"
    "uRZc+QTFBQI+eRRAOkrKifubixGeZYJsz76qj1qg30idtveSMSjJnKqruyTNZTRy2lANPU"
    "S+qR9oC+gvRGAuykmIt8oSVARvEwSv0khVplhXMVWZYlx428kUU7bTcdtO92EwxV/TlBVW"
    "VEGuwUllYEHUVLMzbdsMnc+e8wafoRlNEfGD3pT/n947hP//JTa5rvnTmq41s4COIxZanx"
    "GR0MhpwxHsmrqYEzgRkBDe8zom+znfYj8vGewGMkIXaYKsSF6qGaBfdoVunxpx4crCkLH6"
    "8v06GRHl2mnctSMeX3JEp3juPPNrTfyKeV9yy4uX61aVuqt0jpyuXQJ1S0BnQVZC5u9ImL"
    "4Uk0qqz8L6EzK00AlMho65pZR1QVbVAz2CkZ4KaWE5IemCa5r3l0TV3ZHnYaHioHkp6WBu"
    "K4ZJOaf4AyCvc8qn59mID3lGTO1TXdunSk6dl6HKJ8hCcw/aZKVm5t/l7p9UEeVB0lLT06"
    "ZbA4xGNCUuAAH94SEdmc8oif6hDOl/+XEAEIhKWL0FENjIniKPXHc985nM1Fgce5FMgKAN"
    "5h4O3XL0UZsfVB2aRAUp1avCk14yPCkdhRKyVX6SjJBMruiD+EsykWGCaTAqAUaExjcDSy"
    "wvMRWQT+Nug10OfU5QUNW6kRGSyLt34GWD6A1kk2YAX3WE7EbogCfHpvvk0R4ca5g+/f6G"
    "RgwoP67DWNtjVRaVbmFppaaZsuP56Etsx6uASBUQ2S68zQVE8vkIVVy64bLJgpxNFjIGZV"
    "NAlM/Y0NETCmyMyhwlAsBf4CWBBmAnSdQCphP9Q+3mEwAdAywXESUCzABYcB4zLpz8sMZ6"
    "/ux8dr4soUP3yGfk+eTJvwAz0wIkV6MrFAL6eaEV/Vr+vLlKZL4YphesvoDI3QfgZ8dH5L"
    "OxB5BhUiKJzDnPpxWcwCiWoZEjyKCPC4FhzpEfkL/JJUikZmCK6LeirCxYwKh32uILn0Va"
    "xyFHlFqRQvrUS5m26DFVhGhHI0STaS1sR+bllCm5qymZXwwEdK+yoIqbKYIbL4I7wcsSVQ"
    "AXAQ7QV/HEz5yQdBZ58zEM8QZaXp2ryKa1jOKa6nNNxJZGLH9AJdIboQNCvb5ytFjH6qXw"
    "rE6FFNYCWKtDRvlr93HyeYzAjfKpUTy38vfmU1ZF/juGqSoMtW1DaLgYfUrF7AlqMdxKUm"
    "wzy2CX8sazR/gxidXcCX9VxKplaTDTciuxeu8g4C4ijpPIggDHPGRyBislDyFIUpYSFjNf"
    "ZH7wQ5lSbahPddxbt2LZVMH5Y1ct67iKVQ1pVUNaFnZN1ZA+VLwiDgMdi8GcEZFwvejXmc"
    "x9/mTulyazKtOdQDusFRc3rIiLGzLi4oimSnX5XQLj8qIq46k7xFlZvVE8j+J5OsJFdLWI"
    "3TUOPRN5I13HIftsvEKLk0pKIm6rwUzjGvl5aX5cIgZoFhwlFOLefga6hwzkBCaRBz6CFj"
    "Li4+1gVNCbntAEHsfXD2Qofxv/xcrLa/4DFF/RLb4iGUoRnSkjonTSGjqp8En08p5Af1lH"
    "Kb3k66SXJZV0Cn2khZ4QvlkZ6SDuD4d1JvBwyJ/B9F4pISZd57V4nS/jPUFfeW5VprQEyF"
    "fp/OM/Jzl1v1S9ba3y397fvU+bF0u65YfB9NffoQR/ZdxIXlDFjgjEjqhUxwOGn82QhxJz"
    "J482v15kTkhVjKxec3aoGLnGV/NX5OcuQVScLhQH1GUOKCoBFtDzafAufB9DXI1358dbFY"
    "o7BIuussu/w5ABlV2usss7wqk3k13uL0zXRg6ryrVIhvlj0s3R7v6HzS5fw8XwOGSh5Psa"
    "/GyrWjnlLvR0ZEUhiU6Sxw2+rJX6KH8bhx7InGIa0f9RSb+1s4AW7vNQ4K1KbobmP+KzA2"
    "cB8si/dB/EYQAsjJ/iLPPkk0IXTFc0QT2TAR5trzTeEgIfkWE1qLOjptfiU5YWp5g+0W9H"
    "Gn3qOTTdz8VR0KlgGrhybyj3RtfdGxWsTdXZp3zWZkeYO3SWSvNBevQUDiGA1wIHtMmSA2"
    "1R+jRHd27Het0WADorsxPWHdNq2p/J2CWP9iQY1FsQk45paOGkZGxo0E7DSepmQOaEVL2H"
    "ootihhirMBfNpLVExWEaA5ITFHFlOtBbiYVFTFcB8o8P0SqfWuKbWdNa5DW/urkbPfzF9h"
    "5fMXw5V39NxiMW6DFuAktvXkq6lfe8DsV7zmd4z0sE75EcspawyYdBuQW7Ay41caTzUtJN"
    "5rN+rYNt+hXn2vRL85liJl59OC8lHdKDWq6hQYVraFB2DcUzc5fDZLKCytGqHK1H9ja14m"
    "jNEa+CL1RRVr1TXX6nooHa5+RIZgdqzI9lzMXOkCxLSreetkAnqaiV7zBqRVXOk23UGWtr"
    "qXJeku4nFq2UF1KcZ0fL5x29u78iACyTPrtnCFg5efe4pm7dULD8S5sLBiOPAO5+v70Vy7"
    "DemuF+76AJJj9qDsTO+e0vOs9bym7fL3LM9t8T/JZw1WPFjm3unlRGj9m+Ns80FMhSf/zw"
    "CJLPADPsgZFjeNg0AHIMFxOMwCuik0OCpm7hMDrIIz3f1UfeM/IYRfSa7lxlp3crfOt4sn"
    "sPF8DVRn4vPRRTtAJYVkZCnFvxpLjQ95dk0d8hiZohKgXqh86hVvm8B8vnVZQRf605TvLg"
    "aBKdjl4rKlm5uxlhnJQoQSNs54SoozDCBNOh9jLCRsgz9UWPYYAld06qjC+4abPN7uKjpG"
    "ycbtk43KPZ+Ko3/0i249QBD2Dh0JdKAOGkuYTontWKtDiriLQ4Y6S0YydALOKVX7clI3L4"
    "qi0vY880Vp9lL+Vg383s238AlMZYjA=="
)
