from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "webhook_endpoint" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "url" VARCHAR(500) NOT NULL,
    "description" VARCHAR(120) NOT NULL,
    "events" JSONB NOT NULL,
    "include_personal_data" BOOL NOT NULL,
    "secret_sealed" TEXT NOT NULL,
    "active" BOOL NOT NULL,
    "disabled_reason" VARCHAR(200) NOT NULL,
    "disabled_at" TIMESTAMPTZ,
    "dead_in_a_row" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "deleted_at" TIMESTAMPTZ,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_webhook_end_store_i_a6360f" ON "webhook_endpoint" ("store_id", "active");
COMMENT ON TABLE "webhook_endpoint" IS 'A URL a store''s other tools listen on, subscribed to some `order.*` events.';
        CREATE TABLE IF NOT EXISTS "webhook_attempt" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "outbox_id" BIGINT,
    "delivery_id" VARCHAR(40) NOT NULL,
    "event" VARCHAR(32) NOT NULL,
    "order_number" INT,
    "attempt" INT NOT NULL,
    "outcome" VARCHAR(12) NOT NULL,
    "status_code" INT,
    "error" VARCHAR(300) NOT NULL,
    "duration_ms" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "endpoint_id" INT NOT NULL REFERENCES "webhook_endpoint" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_webhook_att_endpoin_83048e" ON "webhook_attempt" ("endpoint_id", "id");
COMMENT ON TABLE "webhook_attempt" IS 'One HTTP attempt at delivering one event to one endpoint (the delivery log).';
        ALTER TABLE "customer" ADD "blacklisted_by" VARCHAR(128) NOT NULL DEFAULT '';
        ALTER TABLE "customer" ADD "blacklisted_at" TIMESTAMPTZ;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "customer" DROP COLUMN "blacklisted_by";
        ALTER TABLE "customer" DROP COLUMN "blacklisted_at";
        DROP TABLE IF EXISTS "webhook_endpoint";
        DROP TABLE IF EXISTS "webhook_attempt";"""


MODELS_STATE = (
    "eJztXWlz27iW/SsofZn0lDtlS5bt7p6aKtlRpz3t2ClbvbzXecVAIiRxTBJsLlZUb/LfB+"
    "AmLgBFSKRMIfjiRCQuRB2AwL3nLvh3z8I6Mr23Tz52Ue9H8O+eDS36n/yNE9CDjrO5TC/4"
    "cGqGLb20ydTzXTjzycU5ND1ELunIm7mG4xvYJlftwDTpRTwjDQ17sbkU2MbfAdJ8vED+Er"
    "nkxl//IpcNW0dfkJd8dJ61uYFMPfeghk6/O7yu+WsnvHZr+z+HDem3TbUZNgPL3jR21v4S"
    "22lrw/bp1QWykQt9RLv33YA+Pn26+Gcmvyh60k2T6BEzMjqaw8D0Mz93qm2u9TTt/mGiPY"
    "0nmtYTAGiGbQoueVQv/PUL+gjf98/OL8+vBhfnV6RJ+Jjplcuv0VdvgIkEQ3juJ72v4X3o"
    "w6hFiPEGVM8MFmVYb5bQZeOatC8gSx65iGyCY3ehteAXzUT2wl+Sj+dXFTj+Pnq8+WX0+O"
    "b86jv6hZhM/uiVuI/v9MNbFOoNtOG/AtAm7ZuBNrmwwXbzqh4c3LP+aQ10SSsuvOG9PL4m"
    "tIWmbtL+cPj2oNs7CL79Guj2udj2i8jiFcFCQxY0TBGAC2IHxPlAKA/P6+A8POcjTe/lsZ"
    "4FZFu1NB0T2GwRtEuCO+EdL7hdXJH7w0EtuAcVcA+KcEPTxCukayvDhGvolQH/n6eHezbg"
    "DNEC5Lox88H/AdPwSnpGY1P9v+aBPaPAgmlgmL5he2/p9/13W69AxRBQqGjPluf9bWaRf/"
    "Nh9GdxUG7uHq5DyLDnL9ywl7CD69Kq7vkadnWyktiBNUWugNLHlN2uAzY1Nmenp6edVgM3"
    "KOuBYxoz8vvJbLZ1vNIsww58xHgfuGBXdXE4zAfHgriNNWh7KzI1TcMyfAGgGZKHw/dY4J"
    "2Z0LB2mMUlucNB2z8WbF2yZJPZRxmBMrLXGJsI2mx0C5IFbKdEtC1w0yuH3RKvHx7uclvi"
    "9e2ksBH+9uF6TGydcH8kjQwfsVH3DKIJ+ZqNfWNO11nykIyJXQk/rws1DgLjMHMRxUSDjD"
    "X7HbnjGxbirC05yaKuGIu+Tf5zjEY++YH6g22ue5GdUDEgk9sP46fJ6MPH3Ki8G03G9E4/"
    "vLouXH1zUVAi007AH7eTXwD9CP75cD8u6pVpu8k/e/SZYOBj8hasNKhnTJrkaoLaV8o8zp"
    "8zNBm9MIWz5xV0dS13J0OfIqpost7MWPDnXx+RGb57jFkQk68fUKKtHtkM+JrM+eTqZiZk"
    "iFv7xWDuyiIQ3YadyAoRdAztGa33xGjkGL+itawYzdG+c+gdMo0X5K5/RtJOJMfFejDz9w"
    "TqY9SLrCC9QNeA9r4g/R71IitIEb+499Z2E3cjK0wh3bQnRg+0D1kBMnRkOdhH9mzdwBZ3"
    "u+lN4q1utoT7rk4TZKKFC62bJZR3icKBayBXgzPyv73X85uot1HUmayYrdB0ifGzhmzdwc"
    "beoP0RdTeOe5MJNWr94T7m2YP5WxnexvK0Bfn5K7jmQ/tgowkmf7YD/GR57ze9CXrzugyt"
    "1bcK0FrQhovwKWl3VDhvHjOiljaGMz9sydq02Ra31BuBZN0EgYdcsFpiMEUmthce8DGAII"
    "yBAtADobMbYBeQR7b9t70CIPv1xIiS+msTfuXHHWu0Y83Qe/9SIVSvGEJVGo7yW28suCiz"
    "pA/ng2gf9h/6/cHgsn86uLganl9eDq9OU/zLt6oG4vr2PR2LkywhyHCzdT7o6kDBKmf9Og"
    "FtpFVFyFUppM3FphC6SXsJQ9rqoMvHtoQs2ZWMF1H32kbogB6dZOk+WofO/xJFdSd/Tk5Q"
    "uXO67s7JOVOp7sTcm7kbc1ZEpg15Lz2o5CIrQFzG92dy1VjYv6J1CPMteSRoz1iLVjER4c"
    "jg5Rk75LILV6kynptX5NeT34yilepm9HQzejfufeW7HYVMUkEjK3awMYysjeuNb2QZmzYq"
    "OeSY3uiTKssGPyOhmORUQLr0kIs6od8X/Mjvi1Lgt9Kl29KlVcTOt6jioS+OQXrbYdTzkh"
    "KO+pGMcoJJ5TAH3k5vdkasgQHuJs8uxfgqS01ZaspSq7TU4jA/hqW2CQDkW2pxqGE9fxhV"
    "FQAET7+Mvu8PLwCeA2KYAQ8RRckHhhc5sfSfwquOi+bGFzAno+qFF1y8KvvFGulRGYrdMh"
    "SjgRKxZjYS0pmKZxd1HC/FPTbjd7koGjTR26EtobcUwbggJqHh2LxVrmxHPvTy2o4uesHP"
    "O416XlKZFsq06PhLrEwLZVrwTYtshgzDvigk0PCNDD1uqM1RPadQj3QJHBonF1bXAG8ufv"
    "jegg6Ykb6/A9DWQdIloFPlJ3D/290dsBC0PWBjn9gRc0TsBmoluKhsdTTee3WEXvQ1Gu1e"
    "Bee9qmWSHYkSuk8WNE0uxAVRmZb/Qf/yIkWafqgC+enD6O6uHEazxBZKXu+akzYrshOcHV"
    "OOGq/KgrxnQUizIgpSRhUFpfMpnU/pfFU6X5Lsy9D3MnnAfF3PyTRqNPYno1CFZUeVJvXt"
    "Vop97SU0H69Sp5rpFb+Y6VWplmn30xYOSJ/XqhV7UVEr9qKEb/bJSjBP0Be+dpUVkyBJpI"
    "rPG/85yVF5pXKOKZ1393D/PmlerPGYB95xjZmIPpu2V5oXQ5t1ltjHQm62RECCqZtfJoZn"
    "dYoek1bcZSK8p7JwVFm1zq0a8jralDmuzHEJzHFVSqrZ6hmCjEUCF4OxyCDJZyxeMo1aYy"
    "yeA0VYvC5hQUZAQFWOm0toUTcfJYUdTjli/ukJGRF1akK1mb3DqQnKzG7YaTR7FlNRo/aq"
    "Ln8RSmVRH8yijv0wYtZVXkitBsqF/Bo2a8aFuKfVKl/l4pOC3Zp/Y9mWa2n6Kj7gQHxAdP"
    "qUadj71ioPawLfkX4kgrxVUiAtNM1gBbJFqPm0wCzbqkZqXJiPFoaVxrUcbR3Y2LUgMS2Q"
    "Dt6M354R0wk4ZHQZIak7yFczDmE7xTm8biJcOAYlXCsddLa8nvymE+FUmES7R+pOTbIUU2"
    "IEsaqYVplsBUl1wpSA4ZZip7kIeqwIFf4MZ8lK5+vvn9aZ66QV/yTY06q5voMTuiytcv+6"
    "nPuXHa8pozB7jTcslZTu/WqlVrAK8OCjrwI8FFmmAjyOh9BR5zsdjseJwGKQOCmKfAYHp0"
    "3aCuuIz5UvsizZwA8f+oHXIw1K3MxJbm+LW4St6R1omhTB8JZibQ7J2sSDWh/YjYDasJge"
    "s2RSl5XsMcGutEEV9IFE+oCKtoNsnUIkhnDv4/j+3e39+x9BLP/Jvnm4//n28cP43Y+AoD"
    "w3XAvpn+yPjw8346enqKmLZ8jzwtZPv9x+/EjbekvDcWjLd+O729/Hj/RaXJOAXr0Z3d+M"
    "7+7CXilopkmvPo4nvz3e04su8gPXjriX16fpyEN7zEwb7guVkTjcG3V2JK+TYj3bZT0Vad"
    "/qaqBKcLRVgiMDjza82gPcWFrhW6CwsGUFNuJMXf76UJSTcJloumR/jJjoVleUkxHpxpPN"
    "oa67RAEVwTkjIiHEw1r+pWGFf2lY9i+lJdBCpASwLglKiHjDy4eNfTENOW4vnSenlZnsBV"
    "Mf+9AU4fQzIjJpFQ2W+soXSKyJa1FMYcvAVnSyqpm6NRlGo4qW4YvHBTGkVWyQQGyQhwOX"
    "ldlVkceYShxwdwsdHXMXR2/MMbIUc/LlyHXc+KWvi3ZBTEJVrYUa+6aBbF8zHCFLLysknd"
    "52PqwB8vmQCzK9VQAZmqYGyZprOazqBNzNsCSnchpLfDzWoO2tmGEBfJdhTkiBWgTVhJ6v"
    "hZMPBz7RF4T2PKawdItEv85K3OevxP3SSrzBTTxKryir4l+7HP86MyEZAxrBygzOq9p3C4"
    "LSvVZtKDgpZsKEdllUOsDbCTemwGm7HwLLkldLWqeXtEzAnOhg50XVOHd5nPXAMY0ZgV7D"
    "cxGqtCCmTkdgObgD12BFPlZ5XFMR6Tam5hVsGoT8HMcV1kU4KyMdxOrExkMuF/LmGQWOvu"
    "Oo5yXVqHdl1Bm6QPz0mXc9rtAhlmBWkFJePlXkqjVMVd4eF97m8vZYS0IDwGarBEmKbWEp"
    "zMH7SFbnx9ubSb28SFXiip0amZ2b6AXtXRo8BGlMO5IVJUNHloN9ZM/W2jNa74nX7aY38u"
    "bLitmMoLEnUDek3QfkeXAh7ftHab69UTLNUeQNlwkloQTujAqzNBwLsSJkEkwfbDTB5M92"
    "ZJ8yfR0XC1eJqmime7j/8bLdk81xS8Z7WG8ybNdo2ruqJPialQTjMq+iDsSinIQRaa2cEB"
    "ifCaIRCBAjeJgPeElQOs62lfJr6nSO1hhx8jt9TfREiLyQ4nMYHNnfAXnPDZ9RPY6LalZE"
    "YcrANNJfhDSIrIjClIFpsiMJoZoXUrhu53PTYlN70o6yVQc7KXCO2fd1O5+bOZttT1zlO1"
    "SviGz+nRUmc1uv4hbRljzjNiU1t1m3KG24tSj/ZIkAddtSgxi8efo4vgGfgtNTeDl4e/7d"
    "jwDR3EkwW0J7gcDK8JdgtcTAgjoChl8u0b93bw0b1dfG4luxq3/o9weDy/7p4OJqeH55Ob"
    "w6TVfv8q2qZfz69j1dyXPK83brWzysQIUTdCucoE4QiWhlBokLMgzqnKY+4B+mPiidpT53"
    "saVVVQLkJFTmxXaCumN8cdupq2SGi+OcE1Iob0eZ6B3Y1Z7JrxOBOS8l4cLRFtBiWUpZGe"
    "n41+YZwgguUddCXko6mFtJS1KViRJ0T2t5EWgzPr6njDJbRIUvA8w/hzpp341DqOnXSnMI"
    "teJyFefYEWZsO+f4OrRYITqNQY2V49f49Fghcq4eRfYxmJrGDBDs4DMCLnJMuPYIiksEPP"
    "IogHQUlxP3NhdDPMsE2Z59VR+1QH+ROs3yNWNQ4jlVV3eJm8to5LShGrqI/FLP15bQW4rA"
    "XJSTEG+VJagI3iYIXqWRqkyxrmKqMsW48LaTKaZsp+O2nR4Cf4q/JCkrrKiCXIOTysCCsK"
    "lmZdq2GTqfPecNvkAjnCLiB70p/z+9dwj//2tscl3zpzVda2YJbVsstD4jIqGR04Yj2DFm"
    "Yk7gWEBCeM/rmOznfIv9vGSw60gPHKQJsiJ5qWaAft0Vun1qxIFrE0PG6sv362RElGuncd"
    "eOeHzJEZ3iufPMrzXxK+Z9yS0vXq5bVequ0jlyunYJ1C0BnQVZCZm/I2H6EkwqqT4Tz56R"
    "rgW2bzB0zC2lrAuyqh7oEYz0VEgLywlJF1zTvL8krO6OXBcLFQfNS0kHc1sxTMo5xR8AeZ"
    "1THj3PRnzIM2Jqn+raPlVy6rwOVT5BJlq40CIrNTP/Lnf/pIoo9+OW2ixpujXAaERT4nzg"
    "0z8umiHjBcXRP5Qh/Q8vCgACYQmrHwEEFrKmyCXXHdd4ITM1EsduKOMjaIGFiwOnHH3U5h"
    "dVhyZRQUr1qvCk1wxPSkahhGyVnyQjJJMr+iD+kkxkmGAajEqAEaHxDd8Uy0tMBOTTuNtg"
    "lwOPExRUtW5khCTy7h142SB6A9mkGcBXHSG7ETrgybHJPnm0B8fqhkd/v64RA8qL6jDW9l"
    "iVRaVbWFqpaabseD76EtvxKiBSBUS2C29zAZF8PkIVl264bLIgZ5OFjEHZFBDlMzZ09IQC"
    "G8MyR7EA8JZ4RaAB2I4TtYBhhx+o3XwCoK2D1TKkRIDhAxMuIsaFkx/WWM+f7E/25xW06R"
    "75glyPPPlnYGRagPhqeIVCQL8vMMN/Vj9trhKZz7rh+uvPIHT3AfjJ9hD5buwCpBuUSCJz"
    "zvVoBScwimRo5AjS6eNCoBsL5Pnk/+QSJFJzMEX0V1FWFixh2Dtt8ZnPIqVxyCGlVqSQ/u"
    "olTFv4mCpCtKMRovG0FrYj83LKlNzVlMwvBgK6V1lQxc0UwY0WwZ3gZYkqgIsA++iLeOJn"
    "Tkg6i7z5GIZoAy2vzlVkUyqjuKb6XBOxpRHLH1CJ9EbogFCnV44W60i9FJ7ViZDCWgBrdc"
    "gof+0+Tj6PEbhRPjWK51b+1nzKqsh/xzBVhaG2bQgNF6NPqJg9QS2GW0mKbWYZ7FLeePYI"
    "Pyaxmjvhr4pYNU0NZlpuJVYfbAScZchxElng44iHjM9gpeQhBHHKUsxi5ovMD74rU6oN9a"
    "mOe+tWLJsqOH/sqmUdV7GqIa1qSMvCrqka0oeKV8SBP8NiMGdEJFwv+nUmc58/mfulyazK"
    "dMfQDmvFxQ0r4uKGjLg4oqlSXX6XwLi8qMp46g5xVlZvFM+jeJ6OcBFdLWJ3gwPXQO5oNs"
    "MB+2y8QouTSkoiaqvBTOMa+XlJflwsBmgWHCUUot5+AjMX6cj2DSIPPARNpEfH28GwoDc9"
    "oQk8jW8eyVD+Ov4HKy+v+S9QfEW3+Ip4KEV0poyI0klr6KTCJ9HLewL9VR2l9Iqvk16VVN"
    "Ip9JAWuEL4ZmWkg7g/HNaZwMMhfwbTe6WEmGSd16J1voz3BH3huVWZ0hIgX6Xzj/+c5NT9"
    "UvW2VOW/e7h/nzQvlnTLD4Phpb+hBH9l3EheUMWOCMSOqFTHA4afzZGLYnMnjza/XmROSF"
    "WMrF5zdqgYmeKreWvyd5cgKk4XigPqMgcUlgDz6fk0eBe+jyGuxrvz460KxR2CRVfZ5d9g"
    "yIDKLlfZ5R3h1JvJLveWhmMhm1XlWiTD/Cnu5mh3/8Nml6dwMTwOWSj5vgYv26pWTrkD3R"
    "kyw5BEO87jBp9TpT7M38aBCzKnmIb0f1jSL3UW0MJ9LvLddcnN0PxXfLLh3Ecu+Uj3QRz4"
    "wMT4Ocoyj78pcMB0TRPUMxng4fZK4y0h8BAZVp06O2p6Lf7K0uIU02f660ijv3o2TfdzcB"
    "h0KpgGrtwbyr3RdfdGBWtTdfYpn7XZEeYOnaXSfJAePYVDCOBU4IA2WXygLUqe5ujO7UjX"
    "bQGgszI7Yd0xrab9mYwd8mjPgkG9BTHpmIYWTkrGugatJJykbgZkTkjVeyi6KOaIsQpz0Y"
    "xbS1QcpjEgOUER14YN3bVYWMR07SPv+BCt8qnFvpmU1iKv+fXt/ejxH2zv8TXDl3P9j8l4"
    "xAI9wk1g6c1LSbfynteheM/5DO95ieA9kkPWYjb5MCi3YHfAlSaOdF5Kusl81q91sE2/4l"
    "ybfmk+U8zEqw/npaRDelDLNTSocA0Nyq6haGbucphMVlA5WpWj9cjeplYcrTniVfCFKsqq"
    "d6rL71Q4UPucHMnsQI35sYy52BmSZUnp1tMW6CQVtfINRq2oynmyjTpjbS1VzovT/cSilf"
    "JCivPsaPm8o3f3VwSAZdJn9wwBKyfvHtfUrRsKln9pc8Fg5BHA/W93d2IZ1lsz3B9sNMHk"
    "T82B2Dm//VXneUvZ7ftFjlnee4LfCq57rNixzd2Tyugxy9MWmYYCWepPH55A/B1gjl0wsn"
    "UXGzpAtu5gghF4Q3RySNCcmTgID/JIznf1kPuCXEYRvaY7V9np3QrfOp7s3sMFcLWR30sP"
    "xRStAJaVkRDnVjwpDvS8FVn0d0iiZohKgfqhc6hVPu/B8nkVZcRfa46TPDiaRKej14pKVu"
    "5uRhgnJUrQCNs5IeoojDDBdKi9jLA/0HSJ8fM4tkp6DEus2OSkyhxbRY01lG1dwyb77fGO"
    "ZrnExhMOT2v0yV7mRYck0gMdT4AXTKnYFOm0PLmHLQQ+R7k5//kZoBea+8UyyRrtu07mTT"
    "rJ421a5dgc1EgTtM/kNc1aCWLIPpkAygUx6RycrZhn0bpThplffWYj0Y3SM/T7pCk9Y9gz"
    "M9CR5iDXwzY0NboECVpu3D5UESwBS85DxCLzd2AtSoJSLPuKs5CWs9ANj/5+fYeAZ4aodN"
    "tuv5aK069QcfoMFScBTpwoKoiqiL3uRJWUmSEdQV0zbA1qLmlRGmmuIVaSU3mJimpVVCtF"
    "hFJVO62bOUm1bHZ52ewEof7aL7GqHHaEVDkvTC86e3PPwmExT5458lMS0FutH1ZAje9/qH"
    "WUauJ+ED5N9ZfJ5COIpWgVL9IzMVbd8LBTcjuk1ahjIPyQhnDR+l1xyzUw8YJzrGqTndfx"
    "P2SdL+TdEHM/XBuLb8UD8UO/Pxhc9k8HF1fD88vL4dVpuoyXb1Wt59e37+mSntuRt/spcO"
    "BP8RfmRlo1CDkxicLaDzIaOV01fLUE6/4UxKSgD9uuPxEucCIgpwISwjuoUyVswK8SNihV"
    "CYuCtu3AmrLi27ekcmzEJFpKGqMxMnpE3ayjjcThDJ2zI4FTHTjbesnAuPDGjOjGQvZ5Tk"
    "otBeW5K1whQ97iGK2UmtEDNzSwNYthh/Op+LyUIuIVEa+IeJAyAGIsbUFKEbXbidos1bIn"
    "V8uIsz0yrOuytoV51qVjlEfINWbLHoOGjO+cVNGPcNNmG+vIB1XlfHYrnPgFuZ5gsGtGRE"
    "KjpZWMT/pSCSAcN5cQ3bNayvVZhXJ9xjjiC9s+k4PjRxJnRA4fSvw6nvjGgob3SpbadzP7"
    "+v+48zyV"
)
