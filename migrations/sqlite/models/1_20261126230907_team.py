from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "telegram_chat" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "title" VARCHAR(128) NOT NULL,
    "user_id" BIGINT,
    "active" INT NOT NULL,
    "disabled_reason" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_telegram_ch_store_i_92440b" UNIQUE ("store_id", "chat_id")
) /* A chat that receives the store's order cards: a member's private chat or the team group. */;
        CREATE TABLE IF NOT EXISTS "card_message" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "message_id" BIGINT,
    "wanted_version" INT NOT NULL,
    "rendered_version" INT NOT NULL,
    "text_hash" VARCHAR(64) NOT NULL,
    "dirty" INT NOT NULL,
    "resend" INT NOT NULL,
    "digest" INT NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "chat_id" INT NOT NULL REFERENCES "telegram_chat" ("id") ON DELETE CASCADE,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_card_messag_order_i_2c0643" UNIQUE ("order_id", "chat_id")
) /* The message showing one order in one chat, and whether it lags the order. */;
CREATE INDEX IF NOT EXISTS "idx_card_messag_chat_id_efb105" ON "card_message" ("chat_id", "dirty");
        CREATE TABLE IF NOT EXISTS "call_attempt" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "actor_kind" VARCHAR(16) NOT NULL,
    "actor_id" VARCHAR(64) NOT NULL,
    "actor_name" VARCHAR(128) NOT NULL,
    "outcome" VARCHAR(24) NOT NULL,
    "note" VARCHAR(500) NOT NULL,
    "callback_at" TIMESTAMP,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE
) /* One phone call to the customer of a pending order (SPEC §3.3). */;
        ALTER TABLE "store" ADD "claim_minutes" INT NOT NULL DEFAULT 20;
        ALTER TABLE "store" ADD "no_answer_limit" INT NOT NULL DEFAULT 0;
        ALTER TABLE "store" ADD "silent_notifications" INT NOT NULL DEFAULT 0;
        ALTER TABLE "store" ADD "roster_mode" INT NOT NULL DEFAULT 0;
        ALTER TABLE "order" ADD "courier" VARCHAR(24) NOT NULL DEFAULT '';
        ALTER TABLE "order" ADD "claim_expires_at" TIMESTAMP;
        ALTER TABLE "order" ADD "last_call_outcome" VARCHAR(24) NOT NULL DEFAULT '';
        ALTER TABLE "order" ADD "call_attempts" INT NOT NULL DEFAULT 0;
        ALTER TABLE "order" ADD "duplicate_of" INT;
        ALTER TABLE "order" ADD "tracking" VARCHAR(64) NOT NULL DEFAULT '';
        ALTER TABLE "order" ADD "claimed_by_id" VARCHAR(64) NOT NULL DEFAULT '';
        ALTER TABLE "order" ADD "callback_at" TIMESTAMP;
        ALTER TABLE "order" ADD "claimed_by_name" VARCHAR(128) NOT NULL DEFAULT '';
        ALTER TABLE "order" ADD "last_call_at" TIMESTAMP;
        ALTER TABLE "order" ADD "no_answers" INT NOT NULL DEFAULT 0;
        CREATE INDEX "idx_order_status_80b6a1" ON "order" ("status", "callback_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_order_status_80b6a1";
        ALTER TABLE "store" DROP COLUMN "claim_minutes";
        ALTER TABLE "store" DROP COLUMN "no_answer_limit";
        ALTER TABLE "store" DROP COLUMN "silent_notifications";
        ALTER TABLE "store" DROP COLUMN "roster_mode";
        ALTER TABLE "order" DROP COLUMN "courier";
        ALTER TABLE "order" DROP COLUMN "claim_expires_at";
        ALTER TABLE "order" DROP COLUMN "last_call_outcome";
        ALTER TABLE "order" DROP COLUMN "call_attempts";
        ALTER TABLE "order" DROP COLUMN "duplicate_of";
        ALTER TABLE "order" DROP COLUMN "tracking";
        ALTER TABLE "order" DROP COLUMN "claimed_by_id";
        ALTER TABLE "order" DROP COLUMN "callback_at";
        ALTER TABLE "order" DROP COLUMN "claimed_by_name";
        ALTER TABLE "order" DROP COLUMN "last_call_at";
        ALTER TABLE "order" DROP COLUMN "no_answers";
        DROP TABLE IF EXISTS "card_message";
        DROP TABLE IF EXISTS "telegram_chat";
        DROP TABLE IF EXISTS "call_attempt";"""


MODELS_STATE = (
    "eJztXWtz2zYW/SsYfdlkxs3YkmW76c7O2I6SeOtHxna7nTYdBiIhCWuSYEnQiqeb/74AHx"
    "IfIE1YpB4IvrQxiAuRB697z724+LvnEAvZwZs7SnzUewv+7rnQ4f/IP9gDPeh5y2JeQOHY"
    "jmoGiyrjgPrQpKxwAu0AsSILBaaPPYqJy0rd0LZ5ITFZRexOl0Whi/8KkUHJFNEZ8tmDP/"
    "5kxdi10FcUpH96D8YEI9vKvSi2+G9H5QZ98qKyC5e+jyryXxsbJrFDx11W9p7ojLiL2til"
    "vHSKXORDinjz1A/56/O3Sz4z/aL4TZdV4lfMyFhoAkObZj53bCzLeoZxfXNv3I3uDaMnAZ"
    "BJXA4ue9Ug+vopf4Uf+geHx4cng6PDE1Yles1FyfG3+KeXwMSCETzX971v0XNIYVwjwngJ"
    "amCH0zKs5zPoi3FN6xeQZa9cRDbFcXuhdeBXw0bulM7Yn4cnNTj+enp7/vH09tXhyWv+g4"
    "QN/nhKXCdP+tEjDvUS2uj/EtCm9duBNi1YYrucqmsH96C/3wBdVqsS3uhZHl8bulJDN62/"
    "Pnx70O+tBd9+A3T7ldj2i8iSOcPCQA7EtgzABbE14rwmlIeHTXAeHlYjzZ/lsTZDtq06hk"
    "UYbK4M2iXBF+GdLLjbuCL3h4NGcA9q4B4U4Ya2TebIMubYhk8wKAP+77ubazHgAtEC5BY2"
    "KfgfsHFQ0jNaG+r/nISuyYEF4xDbFLvBG/57/+pqCtR0AYeKt+wEwV92FvlXV6e/FTvl/P"
    "LmLIKMBHTqR61EDZyVVvWAGsS32Erihs4Y+RJKn1D2eR2wrb452N/f32o1cImyFXo2Ntn3"
    "s9HsWmRuONgNKRLMh0qw65pYH+aDXUHcJQZ0gzkbmjZ2MJUAWiC5Pnx3BV7Thth5wSguya"
    "0P2v6uYOuzJZuNPs4IlJE9I8RG0BWjW5AsYDtmol2BuyhZ75Z4dnNzmdsSzy7uCxvhL1dn"
    "I2brRPsjq4QpEqMeYKYJUcMlFE/4OsteUjCwa+GvakL3g0Q/mD7imBhQsGa/Y08odlDF2p"
    "KTLOqKieib9B+7aOSzD7RuXPupF9sJNR1yf3E1urs/vfqU65V3p/cj/qQflT4VSl8dFZTI"
    "RSPgPxf3HwH/E/x+cz0q6pWLeve/9/g7wZASNgvmBrQyJk1amqL2jTOPk4cMTcYLxtB8mE"
    "PfMnJPMvQp4oqmaGYmgu9/vkV2NPcEoyAhX69Qqq3u2Aj4lo75tHQ5EjLErfuIhbuyDEQX"
    "USOqQgQ9bDygpxUxOvXwz+hJVYwmaNUx9A7Z+BH5T++RsgPJ84kVmnRFoD7FragK0iP0MX"
    "RXBenXuBVVQYr5xZW3tvOkGVVhiuimFTG64W2oChC2kOMRilzzqYUt7mLZmsJbnTmDq65O"
    "98hGUx865zOo1BLFdXLSJ1VaevmR03eKJdCF0+iT+G/zX8qr4YLoiKWCXh0e4SzrPBcf0T"
    "sFaf+AMEA+mM8IGCObuNMAUAIgiGItAAxA5FQDxAfslV36pldAb7WWBNEYfyzDPGjSsMEb"
    "NrDV+1OHamwwVKPUHeX1AU8rURZJr4/r7B72H/v9weC4vz84OhkeHh8PT/YX+Jcf1XXE2c"
    "UH3hd7WeJBQOdvfXDHmpziB/0mgTOsVk1oRyl0xie2FLppfQVDZ5qgW41tCVm2KzETWJJH"
    "XgqtkTlOl+6dJY7/S7D7It44J6hp422njXNOG647Cffmyo05K6LShrySHlSi4gsQl/F9z0"
    "rx1GVGYQTzBXsl6JqiRasY8Lxj8FZZRqzYh/OFMp4bV+zr2TejeKU6P707P3036n2rdm90"
    "aWQlRL7AyFpS/NVGFl7W0UHouzSj9+osG/KApGIfFwLKhaEfNQkxPaqOMD0qBZhqXborXV"
    "pHBnyPKh766mHW2gt6PS+pYK/vSC+nmNR2cxi8aGZnxFro4GJ0vu7f1vpXW2raUtOWWq2l"
    "loQTCSy1ZaBRtaWWhDQ184dxVQFAcPfx9If+8AiQCWCGGQgQU5QowEHsxLJ+iko9H03wVz"
    "BhvRpEBT6Zl/1irbSoDcXtMhTjjpKxZpYSypmKB0dNHC/FPTbjdzkqGjTx7DBmMJjJYFwQ"
    "U9BwbN8q17ZjNfTq2o4+eiQPL+r1vKQ2LbRpseWTWJsW2rSoNi2ykfgC+6IQqF9tZFhJRW"
    "OCmjmFeqxJ4PE4uegUP3h19OMPDvSAydp+DaBrgbRJwIfKT+D6l8tL4CDoBsAllNkRE8Ts"
    "Bm4l+KhsdbTeen2EXvwzBm9eB+dt1DLJ9kQJ3TsH2nYlxAVRlZb/Qf/4aIE0/6MO5Lur08"
    "vLchjNjDgond4NB21W5EVwbply1Hr2BxQ8SEKaFdGQCk5ra51P63xa56vT+dJDhQJ9L3Pe"
    "sFrX8zKVWo39yShUUXpDrUl9vxkpN72E5uNVmmRNPKlOmnhSypm4/ccW1kifN8pJeVSTk/"
    "KohG/2zUow36Ov1dpVVkyBQyJ1fN7ot/sclVdKG7eg8y5vrj+k1Yu55PLAez42ZfTZRX2t"
    "eQm0WW9GKJFys6UCCgzd/DIxPGiSXJXVqlwmomf6FI5O37R1q4a6jjZtjmtzXAFzXKes2W"
    "g+iBQuAWORQbKasXjMVOqMsXgINWGxWcKC9YCEqpxUV9Cibj9KingVaU+rs7RnRLYjOzv/"
    "WWWys2szu2Wnkfkgp6LG9XX+7yKU2qJem0Wd+GHkrKu8kF4NtAt5EzZrxoW4otWqXobUvY"
    "Ldmp+xYsu1NHw1H7AmPiC+5cbG7qo5kaPco5esHYUg75QUWCS0FbAC2WS31bSAma3V4Ghc"
    "dB4tCitNcjm6FnCJ70BmyiALvBq9OWCmE/BY7wpCUl8gX884RPU057DZg3BRH5RwrXXQue"
    "p68ts+CKfDJLq9unNss6WYEzFIlMW0zmQrSOqbbCQMtwV2ho9gIIpQqR7hIlnlfP39/SZj"
    "ndWqvnFyvzTWtQO6Gn3tgNbGvHZA747Bqe+5WJ+dGYMlMDIXKFZbmGRRpSu3c3K/btEKzD"
    "qmKaRh0GMVSrbjXm5vS2pEtfkTaNscweiRtirXaVVKX7i8iVuWtx7f7A6VDuqymj1i2JU2"
    "qII+kEqvUdH2kGtxiOQQ7n0aXb+7uP7wFiTyn93zm+v3F7dXo3dvAUN5gn0HWZ/dT7c356"
    "O7u7iqT0wUBFHtu48Xnz7xusEMex6v+W50efHr6JaXJWemeen56fX56PIyapWDZtu89HZ0"
    "/8vtNS/0EQ19N7YNN08jsJcOhCcBKidURmKN95bvyHTSrEy3rIwmFTtdDXSKgK5SBGTgMY"
    "YnK4CbSGt8CxQWcZzQRRVDt3p9KMopuEy0nVI8QUx2qyvKqYh064dhoWX5TAGVwTkjoiDE"
    "w0b897CG/x6W+e9FiqYIKQmsS4IKIt7y8uESKqchJ/WV8+R0MpKDcEwJhbYMp58RUUmraD"
    "EVUT6BW0Nci2IaWwG2soNVj9Rng/UNrmhhKh+3IJDWsQsSsQsBCX3RyZOac1YLiTXubpGj"
    "Y+KTeMbsIksxYT+OfM9PJn1TtAtiCqpqHeQAtzFyqYE9KUsvK6Sc3nY4bADy4bASZP6oAD"
    "K0bQOyNdfxRKenKzfDkpw+c1Xi44kB3WAuDAuodhnmhDSoRVBtGFAjGnwkpExfkNrzhMLK"
    "LRL9Jitxv3ol7pdW4iVu8lF6RVmdm3+bc/ObNmR9YBnjJ2FwXt2+WxBUblp1oeAsMJMmtM"
    "uiygF+0G9C/7FaNU7csgeBA2e8/JJKkbxe0rZ6ScsEzMl2dl5U9/M297MVejY2GfQGmchQ"
    "pQUxnb1d5OAOfSyKfKzzuC5ElNuY2leweRDyQxJX2BThrIxyEOsb5da5XKh7zij0rBf2el"
    "5S9/q29LpAF0jePjPXkwwCcgfMClLay6eT8HSGqT63Vwlve+f2REtCC8Bms5goim1hKczB"
    "e8tW59uL8/tm5yJ1Ch7x0cjs2ESPaOXUxRFII96QqihhCzkeocg1n4wH9LQiXhfL1tjMVx"
    "Uzk6GxIlDnrN4VCgI4VXb+cZpvZZRs+zT2hquEUucHuKNlveoQd7rmP3OQO0rzFtVr9TS3"
    "TuC1yQReSXZFWb9YUU7BQKtOLuZKUvEbDAIkiImtBrwkqBwV2UnWI50UvzOil30nNWQTse"
    "eFNE0hoH7+Ctk8x/RJAtWsiMZUgGmsv0hpEFkRjakA03RHkkI1L6RxfZ6mXORQWpFNUy3p"
    "1V6BSsvO1+dpysyVSCviqt5dVkVk83NWmqPs3LaN2bgq43bB1T1n3aJFxWdzYd/PEODeSG"
    "4Qg1d3n0bn4HO4vw+PB28OX78FiB8JBOYMulME5pjOwHxGgAMtBDAtZ8ZeubWWjeozPP1e"
    "7Oof+/3B4Li/Pzg6GR4eHw9P9herd/lR3TJ+dvGBr+Q55fl561veW6695NvlJW8SGyGbcE"
    "DhPAODJpcYD6rvMB6UrjCe+MQx6hLcVZwTzIu9COptC0bs+EQmG+HyOOeENMrPo8z0DuIb"
    "D+zrZGDOSym4cHQFtNzhm6yMcvxr+wxhDJesayEvpRzMnZy20Ql3UnT3G3kReLVqfPcF2a"
    "OYCl8GuPr617S+vvs1p6S3cfer5nI157glzNjznONmaLFC0JWAGiuHZVXTY4WAsGYU2adw"
    "bGMTMOzgAwI+8mz4FDAUZwgE7FUAayjJkh0sCyM8ywTZim3V3yDAv0hfIrfJGJRkTDXVXZ"
    "LqKho5XaiGPmJfGlBjBoOZDMxFOQXx1offNMHbBsGrNVJ9AGpbMdUHoCrh7eYAlLaddtt2"
    "ugnpmHxNT2KIogpyFfZqAwuiqoaTqdtl6Hz2+jL4CHE0ROTvL9P+f/5sHf7/TWxy2+ZPaz"
    "uFygy6rlxofUZEQSOnC0ewh005J3AioCC8h01M9sNqi/2wZLBbyAo9ZEiyInmpdoDe7Ard"
    "PTXiwSebQMHqW+3XyYho107rrh35+JIdupzyxSO/0cCvGfclt7x8FmqdgLpO58jp2iVQnw"
    "noLMgqyPztCNOXYlJL9dnEfECWEboUC3TMZzI0F2R1mssd6OmxlBaWE1IuuKZ9f0mUtBz5"
    "PpHKeZmXUg7mrmKYtHOqugPUdU4F/JoW+S7PiOl9atv2qZJTZzNU+T2y0dSHDluphefvcs"
    "/36ohymtQ0zLTqswFGp/xIHAWU/8dHJsKPKIn+4QzpP4I4AAhEmZneAggc5IyRz8o9Hz+y"
    "kRqLEz+SoQg6YOqT0CtHH3X5Q/WhSVyQU706PGmT4UlpL5SQrfOTZIRUckWvxV+SiQyTPA"
    "ajD8DI0PiY2nLnElMB9TTuLtjlMKgICqpbNzJCCnn31rxsML2BbdIC4OtuRl0KrfFC1HSf"
    "3Nn7UC0c8O+3DGZABXHixsYeq7KocgtLJznNtB1fjb7CdrwOiNQBkd3C215AZDUfoXMmbz"
    "YbcBYyAWVTQLSaseG9JxXYGKU5SgRAMCNzBg0gbnJQC2A3+oPbzXsAuhaYzyJKBGAKbDiN"
    "GZeK82GttfzZ/ex+mUOX75GPyA/Ym38BOFMDJKVRCYeA/15oR/+b/7QsZTJfLOzTpy8gcv"
    "cB+NkNEPtt4gNkYU4ksTHnBzyDEziNZXjkCLL460Jg4SkKKPs3K4JMagLGiH8VZ2XBDEat"
    "8xpfqlmkRRxyRKkVKaQ/einTFr2mjhDd0gjRZFhL25F5OW1KvtSUzC8GErpXWVDHzRTBjR"
    "fBF8ErEtUAFwGm6Kv8wc+ckHIWefsxDPEGWl6d68imhYzmmppzTcyWRiJ/QC3SS6E1Qr0o"
    "2VmsY/VSelSnQhprCaz13ZnVa/du8nmCwI3yZUhVbuXvzaesk/xvGaY6MdRzG0LLyehTKm"
    "ZFUIvhVopim1kGt+ncePZmOiGxmru4ro5YtW0DZmo+S6zeuAh4s4jjZLKAkpiHTK4W5eQh"
    "BMmRpYTFzCeZH7wuU6ottamve9uuWDadcH7XVcsmrmKdQ1rnkFaFXdM5pNcVr0hCahI5mD"
    "MiCq4X/SaDuV89mPulwazTdCfQDhvFxQ1r4uKGgrg4pqlyXf4lgXF5UX3iaXuIs7J6o3ke"
    "zfNsCRexrUnsTpGPzVlPwEMkT/bqKAi4rKNvet+lGb1XY/pXxljU3DleGVuhhHo3HDbR74"
    "bDagWPPyuYK2xSSSCcVFcQ3YOmOQzqUhiUNDziUiS6tbU6YVdGZP0Juzaj0LWWmmujx8y/"
    "/R9DUrxA"
)
