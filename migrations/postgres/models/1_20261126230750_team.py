from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "telegram_chat" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "chat_id" BIGINT NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "title" VARCHAR(128) NOT NULL,
    "user_id" BIGINT,
    "active" BOOL NOT NULL,
    "disabled_reason" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "store_id" INT NOT NULL REFERENCES "store" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_telegram_ch_store_i_92440b" UNIQUE ("store_id", "chat_id")
);
COMMENT ON TABLE "telegram_chat" IS 'A chat that receives the store''s order cards: a member''s private chat or the team group.';
        CREATE TABLE IF NOT EXISTS "card_message" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "message_id" BIGINT,
    "wanted_version" INT NOT NULL,
    "rendered_version" INT NOT NULL,
    "text_hash" VARCHAR(64) NOT NULL,
    "dirty" BOOL NOT NULL,
    "resend" BOOL NOT NULL,
    "digest" BOOL NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "chat_id" INT NOT NULL REFERENCES "telegram_chat" ("id") ON DELETE CASCADE,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_card_messag_order_i_2c0643" UNIQUE ("order_id", "chat_id")
);
CREATE INDEX IF NOT EXISTS "idx_card_messag_chat_id_efb105" ON "card_message" ("chat_id", "dirty");
COMMENT ON TABLE "card_message" IS 'The message showing one order in one chat, and whether it lags the order.';
        CREATE TABLE IF NOT EXISTS "call_attempt" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL,
    "actor_kind" VARCHAR(16) NOT NULL,
    "actor_id" VARCHAR(64) NOT NULL,
    "actor_name" VARCHAR(128) NOT NULL,
    "outcome" VARCHAR(24) NOT NULL,
    "note" VARCHAR(500) NOT NULL,
    "callback_at" TIMESTAMPTZ,
    "order_id" INT NOT NULL REFERENCES "order" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "call_attempt" IS 'One phone call to the customer of a pending order (SPEC §3.3).';
        ALTER TABLE "store" ADD "no_answer_limit" INT NOT NULL DEFAULT 0;
        ALTER TABLE "store" ADD "silent_notifications" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "store" ADD "claim_minutes" INT NOT NULL DEFAULT 20;
        ALTER TABLE "store" ADD "roster_mode" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "order" ADD "last_call_outcome" VARCHAR(24) NOT NULL DEFAULT '';
        ALTER TABLE "order" ADD "call_attempts" INT NOT NULL DEFAULT 0;
        ALTER TABLE "order" ADD "claim_expires_at" TIMESTAMPTZ;
        ALTER TABLE "order" ADD "claimed_by_id" VARCHAR(64) NOT NULL DEFAULT '';
        ALTER TABLE "order" ADD "duplicate_of" INT;
        ALTER TABLE "order" ADD "last_call_at" TIMESTAMPTZ;
        ALTER TABLE "order" ADD "claimed_by_name" VARCHAR(128) NOT NULL DEFAULT '';
        ALTER TABLE "order" ADD "no_answers" INT NOT NULL DEFAULT 0;
        ALTER TABLE "order" ADD "callback_at" TIMESTAMPTZ;
        CREATE INDEX IF NOT EXISTS "idx_order_status_80b6a1" ON "order" ("status", "callback_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_order_status_80b6a1";
        ALTER TABLE "store" DROP COLUMN "no_answer_limit";
        ALTER TABLE "store" DROP COLUMN "silent_notifications";
        ALTER TABLE "store" DROP COLUMN "claim_minutes";
        ALTER TABLE "store" DROP COLUMN "roster_mode";
        ALTER TABLE "order" DROP COLUMN "last_call_outcome";
        ALTER TABLE "order" DROP COLUMN "call_attempts";
        ALTER TABLE "order" DROP COLUMN "claim_expires_at";
        ALTER TABLE "order" DROP COLUMN "claimed_by_id";
        ALTER TABLE "order" DROP COLUMN "duplicate_of";
        ALTER TABLE "order" DROP COLUMN "last_call_at";
        ALTER TABLE "order" DROP COLUMN "claimed_by_name";
        ALTER TABLE "order" DROP COLUMN "no_answers";
        ALTER TABLE "order" DROP COLUMN "callback_at";
        DROP TABLE IF EXISTS "call_attempt";
        DROP TABLE IF EXISTS "card_message";
        DROP TABLE IF EXISTS "telegram_chat";"""


MODELS_STATE = (
    "eJztXWtz2zYW/SsYfdlkxs3YkmW76c7O2I7SeuvYGdvtdtp0GIiEJKxJgiVBK55u/vsCfE"
    "h8gBRhkXog+NLGIC5EHrzuPffi4u+eQyxkB2/uKfFR7y34u+dCh/8j/+AA9KDnLYt5AYVj"
    "O6oZLKqMA+pDk7LCCbQDxIosFJg+9igmLit1Q9vmhcRkFbE7XRaFLv4rRAYlU0RnyGcP/v"
    "iTFWPXQl9QkP7pPRoTjGwr96LY4r8dlRv02YvKrlz6PqrIf21smMQOHXdZ2XumM+IuamOX"
    "8tIpcpEPKeLNUz/kr8/fLvnM9IviN11WiV8xI2OhCQxtmvncsbEs6xnGze2DcT96MIyeBE"
    "AmcTm47FWD6Oun/BW+6x8dnx6fDU6Oz1iV6DUXJadf459eAhMLRvDcPPS+Rs8hhXGNCOMl"
    "qIEdTsuwXs6gL8Y1rV9Alr1yEdkUx92F1oFfDBu5Uzpjfx6f1eD46/nd5U/nd6+Oz17zHy"
    "Rs8MdT4iZ50o8ecaiX0Eb/l4A2rd8OtGnBEtvlVN04uEf9wwboslqV8EbP8vja0JUaumn9"
    "zeHbg35vI/j2G6Dbr8S2X0SWzBkWBnIgtmUALohtEOcNoTw8boLz8Lgaaf4sj7UZsm3VMS"
    "zCYHNl0C4JvgjvZMHdxRW5Pxw0gntQA/egCDe0bTJHljHHNnyGQRnwf9/f3ogBF4gWILew"
    "ScH/gI2Dkp7R2lD/5yR0TQ4sGIfYptgN3vDf+1dXU6CmCzhUvGUnCP6ys8i/+nD+W7FTLq"
    "9vLyLISECnftRK1MBFaVUPqEF8i60kbuiMkS+h9AllV+uAbfXN0eHh4U6rgUuUrdCzscm+"
    "n41m1yJzw8FuSJFgPlSCXdfE5jAf7AviLjGgG8zZ0LSxg6kE0ALJzeG7L/CaNsTOC0ZxSW"
    "5z0Pb3BVufLdls9HFGoIzsBSE2gq4Y3YJkAdsxE+0K3EXJZrfEi9vb69yWeHH1UNgIf/lw"
    "MWK2TrQ/skqYIjHqAWaaEDVcQvGEr7PsJQUDuxb+qiZ0P0j0g+kjjokBBWv2O/aEYgdVrC"
    "05yaKumIi+Sf+xj0Y++0Dr1rWfe7GdUNMhD1cfRvcP5x8+5nrl3fnDiD/pR6XPhdJXJwUl"
    "ctEI+M/Vw0+A/wl+v70ZFfXKRb2H33v8nWBICZsFcwNaGZMmLU1R+8qZx8ljhibjBWNoPs"
    "6hbxm5Jxn6FHFFUzQzE8H3P98hO5p7glGQkK8fUKqt7tkI+JqO+bR0ORIyxK37hIW7sgxE"
    "V1EjqkIEPWw8ouc1MTr38M/oWVWMJmjdMfQO2fgJ+c/vkbIDyfOJFZp0TaA+xq2oCtIT9D"
    "F01wXp17gVVUGK+cW1t7bLpBlVYYropjUxuuVtqAoQtpDjEYpc87mFLe5q2ZrCW505g+uu"
    "Tg/IRlMfOpczqNQSxXVy0idVWnr5kdN3iiXQhdPok/hv81/Kq+GC6Iilgl4dHuEs66yKj+"
    "idg7R/QBggH8xnBIyRTdxpACgBEESxFgAGIHKqAeID9soufdMroLdeS4JojD+WYR40adjg"
    "DRvY6v2pQzW2GKpR6o7y+oCnlSiLpDfHdXYP+/f9/mBw2j8cnJwNj09Ph2eHC/zLj+o64u"
    "LqR94XB1niQUDn73xwx4ac4kf9JoEzrFZNaEcpdMYnthS6aX0FQ2eaoFuNbQlZtisxE1iS"
    "R14KbZA5TpfuvSWO/0uw+yLeOCeoaeNdp41zThuuOwn35sqNOSui0oa8lh5UouILEJfxfc"
    "9K8dRlRmEE8xV7JeiaokWrGPC8Z/BWWUas2IfzhTKeG1fs69k3o3ilujy/vzx/N+p9rXZv"
    "dGlkJUS+wMhaUvzVRhZe1tFB6Ps0ow/qLBvyiKRiHxcCyoWhnzQJMT2pjjA9KQWYal26K1"
    "1aRwZ8iyoe+uJh1toLej0vqWCv70kvp5jUdnMYvGhmZ8Ra6OBidL7u39b6V1tq2lLTllqt"
    "pZaEEwkstWWgUbWlloQ0NfOHcVUBQHD/0/l3/eEJIBPADDMQIKYoUYCD2Ill/RCVej6a4C"
    "9gwno1iAp8Mi/7xVppURuKu2Uoxh0lY80sJZQzFY9Omjheintsxu9yUjRo4tlhzGAwk8G4"
    "IKag4di+Va5tx2ro1bUdffREHl/U63lJbVpo02LHJ7E2LbRpUW1aZCPxBfZFIVC/2siwko"
    "rGBDVzCvVYk8DjcXLRKX7w6uT77xzoAZO1/RpA1wJpk4APlR/AzS/X18BB0A2ASyizIyaI"
    "2Q3cSvBR2epovfX6CL34ZwzevA7O26plku2JErr3DrTtSogLoiot/4P+6ckCaf5HHcj3H8"
    "6vr8thNDPioHR6Nxy0WZEXwbljylHr2R9Q8CgJaVZEQyo4ra11Pq3zaZ2vTudLDxUK9L3M"
    "ecNqXc/LVGo19iejUEXpDbUm9e1mpNz2EpqPV2mSNfGsOmniWSln4u4fW9ggfd4oJ+VJTU"
    "7KkxK+2TcrwfyAvlRrV1kxBQ6J1PF5o98eclReKW3cgs67vr35Ma1ezCWXB97zsSmjzy7q"
    "a81LoM16M0KJlJstFVBg6OaXieFRk+SqrFblMhE906dwdPqmnVs11HW0aXNcm+MKmOM6Zc"
    "1W80GkcAkYiwyS1YzFU6ZSZ4zFY6gJi+0SFqwHJFTlpLqCFnX7UVLEq0h7Wp2lPSOyG9nZ"
    "+c8qk51dm9ktO43MRzkVNa6v838XodQW9cYs6sQPI2dd5YX0aqBdyNuwWTMuxDWtVvUypB"
    "4U7Nb8jBVbrqXhq/mADfEB8S03NnbXzYkc5R69Zu0oBHmnpMAioa2AFcgmu62mBcxsrQZH"
    "46LzaFFYaZLL0bWAS3wHMlMGWeDV6M0RM52Ax3pXEJL6Avl6xiGqpzmH7R6Ei/qghGutg8"
    "5V15Pf9kE4HSbR7dWdY5stxZyIQaIspnUmW0FS32QjYbgtsDN8BANRhEr1CBfJKufr7x82"
    "GeusVvWNk4elsa4d0NXoawe0Nua1A3p/DE59z8Xm7MwYLIGRuUCx2sIkiypduZ2T+3WLVm"
    "DWMU0hDYMeq1CyHQ9ye1tSI6rNn0Db5ghGj7RVuUmrUvrC5W3csrzz+GZ3qHRQl9XsEcOu"
    "tEEV9IFUeoOKtodci0Mkh3Dv4+jm3dXNj29BIv/Jvby9eX9192H07i1gKE+w7yDrk/vx7v"
    "ZydH8fV/WJiYIgqn3/09XHj7xuMMOex2u+G11f/Tq642XJmWleenl+czm6vo5a5aDZNi+9"
    "Gz38cnfDC31EQ9+NbcPt0wjspQPhSYDKCZWR2OC95XsynTQr0y0ro0nFTlcDnSKgqxQBGX"
    "iM4dka4CbSGt8ChUUcJ3RRxdCtXh+KcgouE22nFE8Qk93qinIqIt36YVhoWT5TQGVwzogo"
    "CPGwEf89rOG/h2X+e5GiKUJKAuuSoIKIt7x8uITKachJfeU8OZ2M5CAcU0KhLcPpZ0RU0i"
    "paTEWUT+DWENeimMZWgK3sYNUjdWWwvsEVLUzl4xYE0jp2QSJ2ISChLzp5UnPOaiGxwd0t"
    "cnRMfBLPmH1kKSbsx5Hv+cmkb4p2QUxBVa2DHOA2Ri41sCdl6WWFlNPbjocNQD4eVoLMHx"
    "VAhrZtQLbmOp7o9HTlZliS02euSnw8MaAbzIVhAdUuw5yQBrUIqg0DakSDj4SU6QtSe55Q"
    "WLlFot9kJe5Xr8T90kq8xE0+Sq8oq3Pz73JuftOGrA8sY/wsDM6r23cLgspNqy4UnAVm0o"
    "R2WVQ5wI/6Teg/VqvGiVv2IHDgjJdfUimS10vaTi9pmYA52c7Oi+p+3uV+tkLPxiaD3iAT"
    "Gaq0IKazt+skgfqMBm8i9KwX9npeUvf6rvS6YB1N3j4z15PT13KHcwpS2kOiE5h0hqk+87"
    "RKn2vhzJNoSWgB2GwGCEWxLSyFOXjv2Op8d3X50OxMmU5fIj5Wlh2b6AmtnfY1AmnEG1IV"
    "JWwhxyMUueYzv3R8Tbyulq0l15yriJnJ0FgTqEtW7wMKAjhVdv5ximRtlGz7PPYkqoRS54"
    "dfo2W96gBsuuavOAQbpciK6rV6ElYnP9pm8qMkM52sT6Eop2CQSieXGiVpzA0GARLEE1YD"
    "XhJUzoXTScYYnVC8M48k+05qyCaxzgtpmkJA/fwVsnmO6bMEqlkRjakA01h/kdIgsiIaUw"
    "Gm6Y4khWpeSOO6mqZc5J9Zk01TLWHQQYFKy87X1TRl5jqZNXFV7x6gIrL5OSvNUXZu28Zs"
    "XJVxu+DqVlm3aFFxZR7hhxkC3BvJDWLw6v7j6BJ8Cg8P4engzfHrtwDx41TAnEF3isAc0x"
    "mYzwhwoIUApuWswmu31rJRfYGn34pd/X2/Pxic9g8HJ2fD49PT4dnhYvUuP6pbxi+ufuQr"
    "eU55Xm19y3vLtZd8t7zkTWIjZA9rK3xGe9DkAthB9f2vg9L1rxOfOEZdcrCKM1Z5sRdBvW"
    "uBXB2fZmMjXB7nnJBGeTXKTO8gvvHIvk4G5ryUggtHV0DLHVzIyijHv7bPEMZwyboW8lLK"
    "wdzJSQWdrCRF97CRF4FXq8b3UJB5h6nwZYCrr85M6+t7M3NKehv3ZmouV3OOO8KMreYct0"
    "OLFYKuBNRYOSyrmh4rBIQ1o8g+hmMbm4BhBx8R8JFnw+eAoThDIGCvAlhDSYbhYFkY4Vkm"
    "yNZsqz77Ov8ifQHXNmNQkjHVVHdJqqto5HShGvqIfWlAjRkMZjIwF+UUxLuDU9r68Ns3SP"
    "BqjVQfgNpVTPUBqEp4uzkApW2n/badbkM6Jl/SkxiiqIJchYPawIKoquFk6nYZOp+9+gk+"
    "QRwNEfm7n7T/nz/bhP9/G5vcrvnT2k4/MYOuKxdanxFR0MjpwhHsYVPOCZwIKAjvcROT/b"
    "jaYj8uGewWskIPGZKsSF6qHaC3u0J3T4148NkmULD6Vvt1MiLatdO6a0c+vmSPLvZ78chv"
    "NPBrxn3JLS+fwVcn763TOXK6dgnUFQGdBVkFmb89YfpSTGqpPpuYj8gyQpdigY65IrttQV"
    "anCNyDnh5LaWE5IeWCa9r3l0QJn5HvEwFjtiI190JKOZi7imHSzqnqDlDXORXwKy7kuzwj"
    "pvepXdunSk6d7VDlD8hGUx86bKUWnr/LPT+oI8ppUtMw06orA4zO+ZE4Cij/j49MhJ9QEv"
    "3DGdJ/BHEAEIgyM70FEDjIGSOflXs+fmIjNRYnfiRDEXTA1CehV44+6vKH6kOTuCCnenV4"
    "0jbDk9JeKCFb5yfJCKnkit6IvyQTGSZ5DEYfgJGh8TG15c4lpgLqadxdsMthUBEUVLduZI"
    "QU8u5teNlgegPbpAXA190quRTa4GWS6T65t3dJWjjg328ZzIAK4sSNjT1WZVHlFpZOcppp"
    "O74afYXteB0QqQMiu4W3vYDIaj5C50zebjbgLGQCyqaAaDVjw3tPKrAxSnOUCIBgRuYMGk"
    "Dc5KAWwG70B7ebDwB0LTCfRZQIwBTYcBozLhXnw1pr+ZP7yf08hy7fI5+QH7A3/wxwpgZI"
    "SqMSDgH/vdCO/jf/YVnKZD5b2KfPn0Hk7gPwkxsg9tvEB8jCnEhiY84PeAYncB7L8MgRZP"
    "HXhcDCUxRQ9m9WBJnUBIwR/yrOyoIZjFrnNT5Xs0iLOOSIUitSSH/0UqYtek0dIbqjEaLJ"
    "sJa2I/Ny2pR8qSmZXwwkdK+yoI6bKYIbL4IvglckqgEuAkzRF/mDnzkh5Szy9mMY4g20vD"
    "rXkU0LGc01NeeamC2NRP6AWqSXQhuEelGyt1jH6qX0qE6FNNYSWOu7M6vX7v3k8wSBG+XL"
    "kKrcyt+aT1kn+d8xTHViqFUbQsvJ6FMqZk1Qi+FWimKbWQZ36dx49mY6IbGau7iujli1bQ"
    "Nmaq4kVm9dBLxZxHEyWUBJzEMmV4ty8hCC5MhSwmLmk8wPXpcp1Zba1Ne97VYsm044v++q"
    "ZRNXsc4hrXNIq8Ku6RzSm4pXJCE1iRzMGREF14t+k8Hcrx7M/dJg1mm6E2iHjeLihjVxcU"
    "NBXBzTVLku/5LAuLyoPvG0O8RZWb3RPI/meXaEi9jVJHbnyMfmrCfgIZInB3UUBFzW0Te9"
    "79OMPqgx/StjLGruHK+MrVBCvRsOm+h3w2G1gsefFcwVNqkkEE6qK4juUdMcBnUpDEoaHn"
    "EpEt3aWp2wKyOy+YRd21HoWkvNtdVj5l//D2Uu3GM="
)
