from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "store" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "slug" VARCHAR(48) NOT NULL UNIQUE,
    "name" VARCHAR(120) NOT NULL,
    "lang" VARCHAR(2) NOT NULL,
    "owner_email" VARCHAR(254) NOT NULL,
    "custom_domain" VARCHAR(253) UNIQUE,
    "allowed_wilayas" JSON NOT NULL,
    "last_order_number" INT NOT NULL,
    "duplicate_window_minutes" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS "member" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "telegram_user_id" BIGINT NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "role" VARCHAR(8) NOT NULL,
    "active" INT NOT NULL,
    "joined_at" TIMESTAMP NOT NULL,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_member_store_i_255071" UNIQUE ("store_id", "telegram_user_id")
) /* A Telegram user who belongs to a store as owner or agent. */;
CREATE TABLE IF NOT EXISTS "invite" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "token" VARCHAR(64) NOT NULL UNIQUE,
    "role" VARCHAR(8) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    "used_at" TIMESTAMP,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "api_key" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "prefix" VARCHAR(16) NOT NULL UNIQUE,
    "secret_hash" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "revoked_at" TIMESTAMP,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE
) /* Only a SHA-256 of the secret is stored; the prefix finds the row. */;
CREATE TABLE IF NOT EXISTS "delivery_fee" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "wilaya_code" SMALLINT NOT NULL,
    "home_fee" INT,
    "desk_fee" INT,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_delivery_fe_store_i_ab6dda" UNIQUE ("store_id", "wilaya_code")
) /* Fee per wilaya (69-map code) and delivery type; NULL means not offered there. */;
CREATE TABLE IF NOT EXISTS "product" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "slug" VARCHAR(80) NOT NULL,
    "name" VARCHAR(160) NOT NULL,
    "description" TEXT NOT NULL,
    "price" INT NOT NULL,
    "photo" VARCHAR(512) NOT NULL,
    "active" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_product_store_i_692e10" UNIQUE ("store_id", "slug")
);
CREATE TABLE IF NOT EXISTS "variant" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sku" VARCHAR(64) NOT NULL,
    "options" JSON NOT NULL,
    "price" INT NOT NULL,
    "stock" INT NOT NULL,
    "active" INT NOT NULL,
    "product_id" INT NOT NULL REFERENCES "product" ("id") ON DELETE CASCADE,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_variant_store_i_2d20a9" UNIQUE ("store_id", "sku")
);
CREATE TABLE IF NOT EXISTS "customer" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "phone" VARCHAR(16) NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "blacklisted" INT NOT NULL,
    "blacklist_reason" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_customer_store_i_70358e" UNIQUE ("store_id", "phone")
) /* One row per store and normalised (E.164) phone. */;
CREATE TABLE IF NOT EXISTS "order" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "number" INT NOT NULL,
    "status" VARCHAR(16) NOT NULL /* PENDING: pending\nCONFIRMED: confirmed\nPROCESSING: processing\nSHIPPED: shipped\nDELIVERED: delivered\nCANCELLED: cancelled\nRETURNED: returned */,
    "version" INT NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "phone" VARCHAR(16) NOT NULL,
    "wilaya_code" SMALLINT NOT NULL,
    "wilaya_code_58" SMALLINT NOT NULL,
    "commune_code" VARCHAR(8) NOT NULL,
    "commune_name" VARCHAR(80) NOT NULL,
    "address" VARCHAR(500) NOT NULL,
    "delivery_type" VARCHAR(8) NOT NULL,
    "note" VARCHAR(500) NOT NULL,
    "subtotal" INT NOT NULL,
    "delivery_fee" INT NOT NULL,
    "total" INT NOT NULL,
    "stock_committed" INT NOT NULL,
    "source" VARCHAR(16) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "client_ip" VARCHAR(45) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE RESTRICT,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_order_store_i_52ee28" UNIQUE ("store_id", "number")
);
CREATE INDEX IF NOT EXISTS "idx_order_store_i_75aaea" ON "order" ("store_id", "status");
CREATE INDEX IF NOT EXISTS "idx_order_store_i_637ddd" ON "order" ("store_id", "phone", "created_at");
CREATE TABLE IF NOT EXISTS "order_line" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "product_name" VARCHAR(160) NOT NULL,
    "variant_label" VARCHAR(200) NOT NULL,
    "sku" VARCHAR(64) NOT NULL,
    "unit_price" INT NOT NULL,
    "quantity" INT NOT NULL,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE,
    "variant_id" INT NOT NULL REFERENCES "variant" ("id") ON DELETE RESTRICT
);
CREATE TABLE IF NOT EXISTS "order_event" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "type" VARCHAR(32) NOT NULL,
    "from_status" VARCHAR(16),
    "to_status" VARCHAR(16),
    "actor_kind" VARCHAR(16) NOT NULL,
    "actor_id" VARCHAR(64) NOT NULL,
    "actor_name" VARCHAR(128) NOT NULL,
    "note" VARCHAR(1000) NOT NULL,
    "data" JSON NOT NULL,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE
) /* The timeline (SPEC §3.4): every change with who made it. */;
CREATE TABLE IF NOT EXISTS "idempotency_key" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "key" VARCHAR(128) NOT NULL,
    "request_hash" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_idempotency_store_i_c7c9e9" UNIQUE ("store_id", "key")
) /* Public intake replays: the same key returns the same order. */;
CREATE TABLE IF NOT EXISTS "outbox_message" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "store_id" INT,
    "channel" VARCHAR(16) NOT NULL,
    "topic" VARCHAR(48) NOT NULL,
    "dedupe_key" VARCHAR(128) NOT NULL UNIQUE,
    "payload" JSON NOT NULL,
    "status" VARCHAR(12) NOT NULL,
    "attempts" INT NOT NULL,
    "available_at" TIMESTAMP NOT NULL,
    "locked_until" TIMESTAMP,
    "locked_by" VARCHAR(64) NOT NULL,
    "last_error" VARCHAR(1000) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "sent_at" TIMESTAMP
);
CREATE INDEX IF NOT EXISTS "idx_outbox_mess_status_41b141" ON "outbox_message" ("status", "available_at");
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXWtv47YS/SuEP22BdOH4lXR7cQEn8e76NnGCxO0t+oBAW7StG0lUJSpZo93/fklZsv"
    "WiLMaSH1x+2g01Q0uHFDVnZjj8u2FhHZne+yeCXdT4AP5u2NBi/0leOAMN6DibZtZA4MQM"
    "JL21yMQjLpwS2jiDpodok468qWs4xMA2bbV902SNeEoFDXu+afJt4y8faQTPEVkgl174/U"
    "/abNg6+oK86E/nWZsZyNQTN2ro7LeDdo0snaBtaJOPgSD7tYk2xaZv2RthZ0kW2F5LGzZh"
    "rXNkIxcSxLonrs9un91d+JjRE63udCOyusWYjo5m0DdJ7HEn2qatoWmj+7H2NBhrWkMAoC"
    "m2Gbj0Vr3g6efsFr5vnXcuOpftXueSigS3uW65+Lr66Q0wK8UAntG48TW4DglcSQQYb0D1"
    "TH+ehfV6Ad18XCP5FLL0ltPIRjgeL7QW/KKZyJ6TBf2zc1mA4y/9x+vP/cd3ncvv2A9iOv"
    "lXr8QovNIKLjGoN9AG/wpAG8lXA23UsMF286ruHdzzVrMEulSKC29wLYmvCW2hqRvJ7w/f"
    "BnQbe8G3VQLdFhfbVhpZ/Eqx0JAFDVME4JTaHnHeE8rdThmcux0+0uxaEuupTz+rlqZjCp"
    "stgnZG8U14hwvuMa7IrW67FNztArjbabihaeJXpGuvhgmX0MsC/p+n+1E+4DmqKch1Y0rA"
    "P8A0vIydUdlU/9fMt6cMWDDxDZMYtvee/d6/63oFCoaAQcV6tjzvLzOO/Lu7/q/pQbm+vb"
    "8KIMMembtBL0EHV5lV3SMadnW6kti+NUGugNGXq7vdBqxqbM6bzeZRm4EblHXfMY0pfX46"
    "m20dv2qWYfsE5bwPXLCLutgf5u1TQXzqIvboGiRZjG/oFWJYiLPQJzTTS06o+j76zynaiv"
    "QB9XvbXIafmwJcx8O7wdO4f/eQWHdu+uMBu9IKWpep1ne91Fq07gT8dzj+DNif4Lf70SC9"
    "PK3lxr812D1Bn2DNpjMd6rEvY9QaofaVEdjZc4xtsYYJnD6/QlfXEldiLByx9Srn/bsKFT"
    "/+9IhMGECbnQUhh79D0aJ3YjPgazTno9bNTIjxf/vFyF2iRCAaBp3IChF0DO0ZLXfEqO8Y"
    "P6GlrBjN0K5z6AaZxgtylx+RtBPJcbHuT8mOQD2sepEVpBfoGtDeFaRfVr3ICtKKpu78ab"
    "sOu5EVpoC17IjRPetDVoAMHVkOJsieLiv4xA03vUn2qWPGJm5hnvmZvWS1rHQLtOE8eCT2"
    "2+yXkvZlTvRoY3nyw0fWRmZb/KjRB2NkorkLLeB7yAWvCwwmyMT23AMEAwiCWBSAHgicjg"
    "C7gN6yTd43Uujt1lNOtOr3TRiMhB1rrGPN0Bt/qlDWAUNZmeHIrhDGnItynvb+3Bj1w/5D"
    "q9VuX7Sa7d5lt3Nx0b1srvHPXioaiKvhJzYWZ3FGnXV3HH/wa09Bg/NWmcAilSoIfWVCiy"
    "42hdCN5CUMLZZBl49tBln6VaLcLmfpwBRCaHMiA2ulFMATqlUXwtHSvV+f/9X9/W3C93Y1"
    "TK0Fo5/vrgZ0RgeYUyHmbsldIv6HDftNDtGEovKHHrs/ND7mge2U+23mfpjjKjJ9kHeygz"
    "I+5hTEWXw/0lZjblO2E8A8pLcE7WneopVOCDsxeHnMiDa78HVtjCfmFX16+sxotVJd95+u"
    "+zeDxle+375OkhV6qHNI1sZ3zSdZxkZGJemd0ht9VsRs8DMSyg1ZK0iXptcrk4LT42fg9D"
    "IJOMqWrsuWViHvb9HEQ18cg/b2hlFPako46icyyhEmhcPse296s2NqFQxwOntRjW9l46uY"
    "mmJqiqkVMrUwTyaHqW0yaPhMLczVKRcPY6YCgODpc//7VrcH8AxQYgY8RA0lAgxvFcTSfw"
    "xaHRfNjC9gRkfVCxpc/JqNi1XSoyKKx0UUVwMlwmY2GtJRxfNemcBL+hsbi7v00oRm9XZo"
    "C+gtRDBOqUlIHKtn5Yo78qGXlzu66AU/v2nUk5qKWihqceQvsaIWilrwqUU8xTyHX6Qy0P"
    "kkQw8FtRkqFxRq0C6Bw/Lkgl2O4F3vh+8t6IAp7fs7AG0dRF0CNlV+BKOfb2+BhaDtARsT"
    "yiNmiPIGxhJclGUdlfdenKG3+hmNda+S8w7KTOIjkUH3yYKmyYU4pSrT8t9uXfTWSLM/ik"
    "B+uuvf3mbTaBbYQtHrXXLSxlXeBOeRGUeV745F3rMgpHEVBWkWUmXzKZtP2XyFNl+0Wy7H"
    "3ottpOPbek5MqNLcn5hBFZR/UpbUt1ux69BLaDJfpUxVqUt+UanLTE2p49+2sEf3eamaXb"
    "2Cml29DL7xO8vAPEZf+NZVXE2CTSJF/rzBr+OEKy9TVmftzru9H32KxNO1dpLAO64xFbFn"
    "1/LK8sqxZp0FJlgozBYpSDB1k8tE97xM8TkqxV0mgmtqF86BduGoQBt/ossbaFN0XNFxCe"
    "i4qsVy0HoQEVw5HosYknyPxUtMqDaPxbOvHBaHdVjQERAwlUNxCRl19VlSOLgjoSq2MZXj"
    "qF7Lflaa6rWKZlccNJo+i5moK/n9oXkq5WcVo94bow7jMGLsKqmkVgMVQj4EZ42FEHdkrf"
    "KV/jxL8dbkG5vPXDPTV/kD9uQPWJ0CYBr2rsV+g6Kat7QfiSCv1SmwrtSa4xWIV3HluwWm"
    "cakSW+OC/WhBWmlYy9HWgY1dC1Iqg3TwbvD+nFIn4NDRzUlJfYN+scchkFM+h8NuhAvGII"
    "NrYYDOljeSX/VGOJUmUe/RZhOTLsXMEYPyqpgWUbaU5h5527rlZInbGjvNRdDLy1Dhz/A8"
    "Xeli/a1mmblOpfgncjUzc10FoPnoqwC0IvMqAH06hFMd4LA/nrkCK4dkrlHkM0y8Fqkr7B"
    "yeP5hmgfHANIHE9xpUIMMdzxLftj8VddwndRQ+dfIQR00ePb7xz1Awz3Nt6QHFLvMVSn30"
    "I+09WtMOsnVjdVi0AMKNh8HoZjj69AGE+n/Y1/ejj8PHu8HNB0BRnhmuhfQ/7IfH++vB09"
    "NK1MVT5HmB9NPn4cMDk/UWhuMwyZvB7fCXwSNrCzdGs9br/uh6cHsb9MpAM03W+jgY//w4"
    "Yo0uIr5rrwjg4X0F9Ka93HR/7gsV09jj4a0n8jop10u9rhflOax1NVB1AOqqAxCDR+te7g"
    "BuqK3wTfmpsGX5NuJMXf76kNaTcJmoum54iJjopy6tJyPSle94hbruUgNUBOeYioQQd0s5"
    "ubsFTu5u1sm9rsMUICWAdUZRQsQrXj5sTMQs5FBeunBNLTPZ8ycEE2iKOO5jKjJZFRXWG0"
    "pWaSuJa1pNYZuDrehkVTN1a0a+xgwtg4gnJ+RoqwQFgQQFD/tu3vaSgs1Ua409ft2CaMbM"
    "xas35hS9FDP648h13PClL4t2Sk1CU62GQt+mgWyiGY4Q04srSWe3dbolQO50uSCzSyrHRu"
    "XY+I7+xlFPaqpRP5ZRjzCKDXt497F3PcyeF0uuSmkp41dtQFM5a8eTSXUmnLOWtyRUAGx8"
    "B4+k2KaWwgS8j3R1fhxej8vlBKrtZ/lpgYnjQl/QzmV7ApAGrCNZUTJ0ZDmYIHu6ZIfG7Y"
    "jXcNNbeEydLJjVnnAavIq8pNPoPd2SeBpsSw3k1BHtp2S3nIGik/dWu8FFY9ZpPQl9RrUU"
    "Eg5Lh2kUApTj3ucDnlGUzn1Uyy4tVcSrNg8ofU6iiRaOSiopaplD1//y6XtukKUAqnEVhW"
    "kOpiv7RciCiKsoTHMwjb5IQqgmlRSu211L6z1fO3pAZNukd5Zyf8Tf1+2upVgJ1x1xla/2"
    "bhrZ5Dsr7FeqnduuPCg8crv2r2xjt2gtuLV2z3iBAIsgMUIM3j09DK7BH36zCS/a7zvffQ"
    "AoOAlyuoD2HIFXgyzA6wIDC+oIGCRbyWfn3iom1VfG/Fvh1T+0Wu32RavZ7l12OxcX3cvm"
    "evXOXipaxq+Gn9hKnjCet7Nv8QinimweV2SzTDxbNHda4pTpdplDV9r8M1famSNXZi62tK"
    "K9upyUp6Tam6A+tqMva04uozNcHOeEkkJ5O8rU7sCu9kyfTgTmpJaEC0ddQOfZP9tgzrWB"
    "Tt//Wr2HcAWXaGghqSUdzOetMvuGqFTB7m+1d4iLbrNUFIGJ8fFt5myEoyZ8FmD+cRWRvD"
    "qrImGkV3FWhfLlKp/jkXjGtvscD+MWSyXK5LjGsqk0fPdYKomnnIvswZ+YxhRQ7OAzAi5y"
    "TLj0KIoLBDx6K4B2FBb88TaNAZ5ZB9mOfRVXPGNPpIpeHzIHJZxTZW2XUFxGklOHaegi+q"
    "Qe0RbQW4jAnNaTEO8adoWpDUvfoINXWaRq08qxYqo2rXDhrWfTiuJOp82d7n0ywV/ukOfB"
    "4PXLZhUkBM4KEwsCUc2KydaZOv97rOwsfIFGMEXESzGr+D+7to/4/yE+cscWT6vYbmB5Mr"
    "ZYan1MRUKSU0cg2DGmYkHgUEFCeDtlKHuHz9g7GcKuI913kCboFUlqVQP0YVfo+l0jDlya"
    "GOasvvy4TkxFhXYqD+2I55ecUJ39N8/8UhO/YN5nwvKEIMvJ27zMtTriKuqQ8swh5XFbOw"
    "PqloTOlK6Enr8T8fRFmBS6+kw8fUa65tvEyLExi4c6rVvBUB+ZMS/hSE+ErLCEknTJNdXH"
    "S0zoEQ25Ls7xmBWgnNCSDua6cphUcIo/APIGpzxWcVJ8yGNq6jt1bN+pTFDnMK7yPnKN6a"
    "KR4yMPr5wVOcfhRkbVk9nbQldzLg/31LSCyibcY9Nk8A+2umWq4lIpflWTbqYuLnupBBAO"
    "xSVE97yspVRkKGXP8bEJytsbzncLxlT27xY8zIeyMgfgQT9mX/8PsUCZEg=="
)
