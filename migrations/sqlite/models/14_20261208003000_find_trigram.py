"""`/find` by name through a trigram index (models.orders.name_search): an FTS5 table
with the trigram tokenizer holding the orders' names (external content: the names stay in
"order" only), kept by triggers on every insert, name change and delete of an order (the
checkout's raw INSERTs included), and filled for the orders already there.

case_sensitive 0: the index folds case for every alphabet, so it finds at least what
SQLite's LIKE finds (ASCII folding); the search keeps LIKE on "order".name as the rule.
Not an Aerich model: the models state is migration 13's."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE VIRTUAL TABLE IF NOT EXISTS "order_name_trigram" USING fts5(
            "name", content='order', content_rowid='id', tokenize='trigram case_sensitive 0'
        );
        CREATE TRIGGER IF NOT EXISTS "order_name_trigram_insert" AFTER INSERT ON "order" BEGIN
            INSERT INTO "order_name_trigram" ("rowid", "name") VALUES (new."id", new."name");
        END;
        CREATE TRIGGER IF NOT EXISTS "order_name_trigram_delete" AFTER DELETE ON "order" BEGIN
            INSERT INTO "order_name_trigram" ("order_name_trigram", "rowid", "name")
            VALUES ('delete', old."id", old."name");
        END;
        CREATE TRIGGER IF NOT EXISTS "order_name_trigram_update" AFTER UPDATE OF "name" ON "order"
        BEGIN
            INSERT INTO "order_name_trigram" ("order_name_trigram", "rowid", "name")
            VALUES ('delete', old."id", old."name");
            INSERT INTO "order_name_trigram" ("rowid", "name") VALUES (new."id", new."name");
        END;
        INSERT INTO "order_name_trigram" ("order_name_trigram") VALUES ('rebuild');"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TRIGGER IF EXISTS "order_name_trigram_update";
        DROP TRIGGER IF EXISTS "order_name_trigram_delete";
        DROP TRIGGER IF EXISTS "order_name_trigram_insert";
        DROP TABLE IF EXISTS "order_name_trigram";"""


MODELS_STATE = (
    "eJztXWtz2zbW/isYfWnyjpqxJTvJpjs7IztK6q0vGVvpZZsdGhIhC68pQuXFimc3/30BkJ"
    "R4ASlCIikKwZc2JnFA6gF4cO7nP505MZHlvrpDzhNy7tDEQV7nHfhPx4ZzRP8hvN8FHbhY"
    "rO+yCx4cW5zA5SMNdz107HoOnLBpp9ByEb1kInfi4IWHic1IBiAYDR6QjRzoIRMQe4LAco"
    "ZsYBMbAeyCCbGn+MF36M0X3gyBEbLQgwPnYInGM0Ief3Bfduk80KIDltibsUebZEKfje2H"
    "2p7yxb4bnt8OR8Yvwz/eAUR/+TMbChYOmSDXBQ6CpgvYTC4FlD6Q/nxomwDSJy2eAZnyey"
    "ak8EEX0eFPdG73i20Tb0bf+xX7Fb6N//KR4ZEHRAc79Lf8+W96Gdsm+orc6M/FozHFyDIT"
    "q8f/T2/yO4b3vOBXz2fQ+cDHMozGxoRY/tyOj188ezNirwgoiOzqCrjYUtq+ZYVLH10K3p"
    "de8BwfrV7UXF8w0RT6FtsQjDp4h/W1jmFc34yMOwqq0clslogitrLhJbp0bKNh23M5BnP4"
    "1bCQ/UC3wjvw+uRb8Jw1EsEo9sBfB7fnPw9uX7w+eckeSOhuDfbydXinx29941PQpQom4c"
    "ivoQ42RRbsEfrqicFeU1QDd3Rhjff6e2sA8AKAR8PfR2zmuev+ZcWBfXE1+J1jPn8O71ze"
    "XH+MhscW4vzy5owvwBpw+i0zcAzoZUF/T+94eI7EwCcpU+CbIemr6B8HuBQdxnZubOs5/O"
    "aKlubiang3Glx9SqzP+8FoyO70EmsTXX3xOvWdrCYBv12MfgbsT/Cvm+shh5e43oPDn7ge"
    "N/pXh70T9D1i2GRpQDPGHqKrEWrfGHubPsa+OnZhDCePS+iYRuYO6ZG8sdlb8948fQXa8I"
    "GvGQOXvWZ4Bg4W+Bf0LDodwzuF5yJcYOMxHLTxRGRrR8+Iu58HP/ZOX0fHRHh+0WPK9Qg9"
    "on7iVxcOmuKvYEr3WnDSOGT5CgyCMWAG6Wh2LkErcyLW8pQv9gt2li6QAzxC6OZkWJlg/A"
    "zu6eeCrPuXP7FjjjzSl2DnIaXzXHDPL/Fv8p4fkBaCTyh4EmGnnrvrUYgFvPnCzmHNWMSW"
    "6deV5gXhjm3vIfjAXuHH3vHJm5O3/dcnb+kQ/pqrK28KeMPF9WjDoRfsChkJY02hnIxx/L"
    "qEjHGc5p1rGYPdSh5xwado0K9rJoNxikwJ6aIecW4NNedNMiCvCJqDt9M5UHC1qPa9iGrJ"
    "T8r1DN/dat3TtBWsfPjKbVn4A1noCJPClV4Lb7LrnKTUq9zmVeaiviElR8dJNkvTh8CuKx"
    "CoM+psCuIsvh/oVfxgUx2Tw3xBXwnaE5GlLjLXRvMcGLzfog0UXV1/0Q5crrS6xL6iv57+"
    "ZuQF8trg7nzwftj5th8TQYC7yH4eLUiB4Xw1ZJN5IB9OrR+3Sz92Lf9BSnMLxyunG5+8La"
    "FTnLzN1SnYraROsV/Xxr6PoaThoXdUxvLQO8o3PbB7aYXYltq60fgG1WHoNKMQ90qg28vF"
    "tpdGliwpFgaaQyxlcEiRKWd26J2WsTvQUflIn2YtDz49VueGSShstgzaGcKt8E5rIy3iyL"
    "3Tfim4+wVw99NwQ8siS6rOLbEFn6GbBfyfdzfXYsAFpGl1EE888F9gYbc2zaHz96lvTxiw"
    "YOxjy8O2+4o97x91fQIFS8CgKnaapv2j3aTOxyZIO025XYU4JuUktj8fI0dC6BPSNqfVHR"
    "8dHbVaDFyjbPoLC0/o76e72Taplj3Htu8hwfeQC3bRFM1h3j8UxG1iQNtd0q1p4TkWmKFy"
    "gRZQNofv4cFLt6ExI74js5dzqJuDuXdyIDhP6CnILBHGgorTUuJKmrBB8fB41u3PusdH74"
    "6ODtZBZUE834JLZ+ga3NOHwjscKpKwT5+YAn39jBALQTvHOZCkTGE7pqR1gbu60qzId3Zz"
    "c5kQ+c4u0oFwn6/OhlSX53ubDsKB2TOLuovp5+IZNvHwlMkR9CUFG7sQ/rwp9DpIrAOksH"
    "iu4SJE97EdxH9JrIGIXOMvj/9kBu0HZFCdfvK43RKkZ9CrILEKPFjGmBJnLnIRbwiyidE1"
    "aVw8aUaYKWMYz7eLZ8ziOtQmH3e1Qm0koqJj7DCIQhaJAiHlh19ukcUPe8E2yMQ7H9gWyP"
    "MvJz4hbD9hoRogA9EFn0RViOaI2f92hOgKRUZEFSHihtIdEbphc6gKEBWovB3xibLzqABx"
    "iMFEpWBaOMT0J7si9SmYRVWQnqCDob0rSL8Gs6gKUuDS3JkpnYfTqAoTNtF8QTxkT54rEJ"
    "Uu1rMpLDJNiO9g5BhwQv+183d4Hsw2CCZTFbMp2lXGfI8szDLOPyBlBc0w7d5AtrkgeOed"
    "9Vsw3TCcTSXUpMJaY3biuWs80J+/hCLTZEh9Y6MRof/ZDPDd3P24nu0gY/XF0EoEAZ9TxK"
    "6Q60LuSMmEAsdvd4sCgids3eaxkRvThkczBEIC4M7IMkqx5boIwDb/g8ndQRGK5YxHCQPs"
    "AQs+hMm2bCjPtU2kClc28xf7i32/pFIWMg3Ku1z65vcs13g1AoRX+RUGAXueb/H/LX9aX6"
    "U09yZ2vOd7QA8JbAH4xXYpm6CzAGTSBzv0DzoVfQeWp8xpWCgPMtnrQmDiB+R69N/0EjRZ"
    "8vMYsV9F5/B4PvN9MOI+L/H4z0DFY3fZD+/8OxVp/WdwmSHJXjO4Xzr0+gw/fC/R13/r9f"
    "r9N72j/uu3pydv3py+PVq5HLO3inyPZxcfmem5GzfCbY7RDre1MLGlaBWSdFs5flvGAJtc"
    "j9gRn2AGEs73LKEO3Mk43zkT3ApeEakGOA2wh77KJ+gniJQL5K4+PCc4QLPcuchtu6Jp0F"
    "EbHZ4H66d1EBOhJJFeE2mfuATWgXgpvasjIo21BNb+wtzSK56k1F7xtnjFI4xibnGhh0ku"
    "Xz1GodPVBd9RkP0hBWmcRGO6uQTAyqiwYwkA1XzH3VQJgPi+EpcASLOCCkBV1OGcxjbGBt"
    "tUXSGMqRHYVNfRNvnmVLwes2X9RY88IntdGLELLPyIwODTBWB+wnd5RX3JAgWB0yWKL+7y"
    "CFY1OKB7BUbruTwXWVM+5YwsbV7zuMtMoGwCC9uP4AE/0XEeCeo8UmWf2LrYYguLSfD1lL"
    "c1JKiUKyxRvbHBoeqXDMDReAULS+jY5MZwP0wtrEwZQPR1gelsW6x6klLBVT+QVRbo2tll"
    "3rLQo67xeCDrq6v/6ep/LVFP21r9L0xoEOin61SHfP10vh5TomPOqjENZaAOWM4IGCOL2C"
    "zWhlAtMSjLD13Aq0axmBiexpgN7NlpJmFUzGoXe+HErI4vt9SkI2S0+tio+phejgzERdEu"
    "ImqVeHrDQS/tr17YULDAca+MkklHFdQuzCiaWoWvS4WnpxJ+kq3jsSbSsRjlfdb/T7C9lU"
    "qVIFRQa1bYVqKVLK1kaSWrUMkK/NoCHWvl8M5XsVa+9WpLrMd0nrAwZjYXYDWC6UFdELtA"
    "N5rnuxtuxQzgySELujVR4YjcG7HQJn4jyg+Nhq2eHdWWi5IctM7WlM4mXaN1H4VZW49vnP"
    "lHmzqrGgwpdhnenzpqI+oG1bAFsk0clFaXQLjzaXj9/uL64zsQ0n+xz2+uP1zcXg3fvwu6"
    "HDtzZH6xP93enA/v7oKhQdNiPvru54tPn9hYd4YXCzby/fDy4tfhLbtmBomn7Or54Pp8eH"
    "nJZ2WgWRa7ejscfb69Zhcd5PkOFUfThqdSumHlDfXksyD2kvxwfCCfU/utGI3p2bX0YFgd"
    "7mUBXhGoiHDl3CAoNU/hE1UmvZtTsSc/9yxJqtJh2++9eb1iDOyPIp5wdzW4vBTk9K3hMU"
    "7f7gBuSK3xTUXSkPnct1HO1i0oE52iU5BNVB2zFCIme9Sl6VREusyJ9zb/wHubOe+gaTpU"
    "AJXBOUaiIMSnR2UwpqNyQeb3UolnYdmYACkJrDOECiJeMfuwiScnIYfjlfPz1bKTXX/sEQ"
    "8K2mgVubLjVCoJFg27sFfcYIpEDsGCBUhT6kXYehG22P567+8OO68CbzAZD3sekk2YF1Dr"
    "bG6Z3hbEdyZSx+qaosGDlTtapg4JvqtDNJBM6cORs3BC1lAW7RSZglJiHR2IMGu2ghdSSm"
    "acSDmR8eS0BMgnp/k9g08zIEPLMiDlufOFqJJkflmANJ2ug5TbIW6rxnAaVCGovOMm33zE"
    "96i8IHXmCYmVYxK9Uk2DC3oGZzjxGjf50Ls0rU5panNKE+/eh0xj/CwMuSs6d1OEyn1WNb"
    "VYDDCTtqVnSZUDvJY4+KA95fYJuCJ6zdJazdJisXqyi50k1evc5nVetwcnUwmBO02mUNXi"
    "yoRuHkPTkzmf1hTqHUuV25RM7K7aeki4DGJUyuiJDRutuV4i65BMECm3vWvxSk6x47K2yV"
    "HTe/mjWDyDPpHbfCIH0c+Gg6ArCjAu+sJShMp9ZdUfIiFm8swsQaYc0P1S7KxfwM76WXa2"
    "Cuun+rc82Gs65dCuR2VfobaNBpek1QdGqw+MoMud1Ce1JlHua6rekM8yPB/D1KmyCMdplI"
    "O4BqOuruj4HVYp0N0UVFt1wYGV2z5YsqNCkkqlmMMKs5J11Q9d9eNAqn6IWEIFwCrYVTyN"
    "bYoVJuC9pdz59uJ8VFRVJa4kOuauPbaTXWgVgTyxO3Ujd3nM0BPauck2L8QzZBOpipKF7V"
    "17t3OQLrGt7NfHHEc78yjLGgRRtyqhJFUdKybCzPBijoSOU/k27bG5DtICuHOT9qjq8Rnx"
    "OoJiYvHb3aKSYqu6uONwZKkm7XTwDy4vuMyey6orPyDvirXssUyAvS7r9oNMMH7mPXnoaI"
    "BN+k/oASpHOR5rau4G/X3esRGdFHR1POOLfX55AXhSB738ah40D3LBEtMN5ntgNLwcfrwd"
    "XBlndJU/3w1vrwdXw6AbPAQ2WobtiKBLaeADXbldewzRN5auYrymqUZpakPxsT23T482mI"
    "yVNU6js4NK2Fm1xS0ferUsbhkbRr4+KCVHbHk88kaHBedj1AixxAEZtWAs092AjQ3OIgdN"
    "EH5CLj+kuHWCHmq8jifgWjBriRd0TqDX6en0RHduQE6coKMegnPw4BB/IWp+UN+DiuuERh"
    "0WdUuEfZbXzG0QXCRDKNojuOFgxEcs6jOfLzJE4xUUF6oPj/KwJ9cAYUWgnM+7liCdrTqo"
    "7No4pWWK+H7Yhu4/0ViVDRO77PebW4S0CkiVYyy9UrGWvYJYy54g1lLH0yim5+muH9r/3w"
    "J4q/P/a/90Y76fLW02n7nJr1NgtQlHdEvZbfz14M2WGxsEw5kvIbSomIDY3ECyROMZIY/v"
    "uMsAuOiJrqjFrkaNB5ALxmhGl4xSIBBWdu1mrTY1POSLHWHzg0vndBG7PwVw9SgL2qbLHg"
    "LtZ3aHPmvOnRvYBRREC/NXsOg9yj9Kujb+7ERvX9xaJXgFeYUjTqb9HRX5O+JLJimjpUi1"
    "kNZ2Ia0lxvhPDjH9idAOH90qZOWL2KC6Gl+5lv+grdl7tWbzJcjAWlAUMxyvoEm1+tL0ut"
    "VNzF5dqtXN64JWN68FRenXb5aBeYS+5paSTpApYGUqOjKHv48Sp2WE6Iurwe8vEyfm5c31"
    "x2h4bAXOL2/O0uVOHCyqpVskWK5IVLI8NGzIXsyIR2QYyopAgT2eKsJx3CtThOO4l1+Eg9"
    "3TjoI9OQq00Tp/o6ulD2mjtTZat8CK2q3FaP0EHQx3Tn75NZhFIbRrtVlHcAlMGzEk800b"
    "T7FBtZk2Hn1t2divZYOugISoHA5XUPWuPrKc8DcSML1/3t1ci+GNkaRFNjzxwH+Bhd3aGG"
    "Dn71PfnrAXAGMfWx623Vfsef/Ygz7OICrWx9Oqd0oMYxNofbwV+jjvySQnywbjlalGWlk5"
    "C616N6Z6h54dOTUsSaQSz9AVWVqGaYFyG3NK7qjexnygBwZxWQU3+cVursuiDQdNGg54kp"
    "iha0I0bz1YFQ0SmA/iBYXy7QfxCkabw9tubAQcsgQL5AQpgjwCzCbOHFIdBJngxfDVMdWx"
    "AO8IkM033IK+2DTBx2njxF6NE8EaZHDd0C5CUQNF9blsOvAilstWKvCiVxB40csEXowtyo"
    "qZBQXJtjFOUeoWxhKK2wq7LbKrRLTKBQXUkl4V27FbeKuz1LrAenuqZ2Q91PH1kmtdkKVU"
    "7vuqp3mBjgTRkSDaWKYjQRQw6FRhy1EI6VrtOKnaugJrTrb6br5NJ1X3t5xp55M/tvAE0B"
    "8MHxFw0MKCz+67oBgUK59IJ6JXPd+x3fVFvlGyZp4d5yo2+bBfpA0++zT4hHuqrDAZDlfS"
    "HlGDDOkg+kupbjuD7kwG5jSdgnjr/j1aYK9CYA8cVlJnQ5xEC+w6YkArQe0Rzbs79XAhka"
    "KyI6qqKTxpVOMcUFa1rFN3inXbEOhNyV4c+TpT8OvQamCpKvbsZGdhD+DF3afhOfjiHx3B"
    "N/1XJy/fAVZ35ZmVx7UfUFCKZTkjYA5NBLCX1Zh2nq1MsZXVTmd1d7vgzw7fwQwFYtDd7f"
    "kcksJKLLIlWBRTqfZcekVeStXS6eFJp9FXWVbxi8YrqPD1yyRG9/PzovuZtOipQ+YxZlcW"
    "4xTZVlC3zNNZew1msgXOCSKN8maUqYxCHEO2mHiSSkHGURfQIvlnE8xCGejwHejVG+MCuG"
    "Tj3ZJUysFci43ZJp5cTGE4Xj10j0qFWbFh+fgeZQOtmAifBTg/pTQa3458UvZYZfJJtbG3"
    "dsOkNqEpYELjeTd5FrQoKWeTAc2KxlVaiyLHkiVnpvpebFT15XmESXiyAlqaTkl1o4aKkG"
    "FpF4NCgCwZwDOEyolttQTH6yIr9bXvtLFnbFHYI0mnkijWcHWPv3zKELAniNvKxT5OohLy"
    "lUU8aMWiekyjo0sK1SSRxlUrbM0pbILNWwGu6hVRTCOb/GYT2N4O70a3F+ejfWnD59CyBp"
    "6H5gthREn8drewtAIdaMDYyFLlFXhyPGC0wCM8Oj4q0cD78YAFsk26AGFn5mSoSP+luORC"
    "BXNuFV8iHUqidfQddXQdIfI9RIhop692+mqnr3b6yjl9ie9NiBzMMRIF+UWvzGbu5W/mXm"
    "Yza7961NKklIH2tMBAeypoDk0FWCbib5OtlSTVdUvaXLdEG9a0AaglZoq2euzPie9g5Awm"
    "E+KLE19SI7qFlopgrAFjgze3Og4qOP7ggpAMQI+3FA5n+wlMHGQi28OUHrgIWsgMclcgLw"
    "DAQqrB3fD8li7lL8M/spaLOh6w2Yyh7RVN2ivCpZSRmWIkWiYtIZNKhw+oGzZQfVfUMXSR"
    "4TtS+MZplIO4d3paZgOfnubvYHYvU6Uh4vNGwOezeOe3SBVTK4B8kcxfR6dU7K5+Qwb+wk"
    "KpSUJdJ1WiTqruJdIY1A6aIgfZohil/MD9BJGO3i/mOVtE76/wNdxn+t9tKvXkTKFtQG22"
    "AVnQ9QyP1bMi29j7BOR6vVu/3shxiJQumKRSQKRrwoquS559hyEDujyXLs/VEpt6NTWK3R"
    "lezNHO7arvwmkO9vRvtlDxe2RhVovqA0IdgdMhfrtb5HEww4HGFJXLF+zQKXnbqCW24DME"
    "L17/7cc5XIAJnfsl7yIVTQnYCv8Erj9fXoI5VZFdYBMPkClTAkwW/OgIGlNVPntxDePgMQ"
    "abXtcy3qsDIr4SGXTv5tCyciFOkap0RPZ7b16vkGZ/FIF8dzW4vMyaU2ZkjqLPu3zGV5xq"
    "K0RbxqX3k+5FX/ZRHvs4lcZ+W+y1pK0lbQUk7TqlyJXQLRAh4wJ5vvzoxkeVqtW6gM4EWT"
    "zfxQ57TYD7lWn4HmAXEN8Bsd4ZPIgEekG+TBB08A5A1rjCec4IkNU/4osNpx4VSSEvDEt8"
    "D1iEPAYNM8In+QswfgbYA5huBARN9mhupGHJPBC4iO4QExR0Us2k8MSCKximj+zX8VQeG3"
    "31jAXhGU3BFVanj3882VuxOKL1LFqu1YE1SgXWFPgLi7p05PsLt4R5v/u45vSQFZcpC/CK"
    "oEFvQNh6BUVvU3t2SKnkkILckEyt1ohLSwAdp1GvUmsdO5ksuIYll06WIlPOx1Uj0LJJZR"
    "lC5cCupU7VhJgGnEcCX3lzQ5KuOb33qF6RrmFzg7SVRxt4dkQ8J6D6DNvQeZYLqR4/e8g9"
    "PNyLIAzjulYucco5zi6uB7d/iCNPzwRxYGd/jIYDEegBbhIcPUmlHDs/KcPNT/KZ+Um2Bp"
    "50xf4dy/VvB28YidIMyjVojnC5RW+EJJVym/m4V0o26RXIJr3MfmaY0b3iBiEAMkivqZRD"
    "ul8qrKxfEFbWF1TP5Dtzi6iyBKEO0tRBmgf2NdUSpJmwqUt+UGla/U21+ZviC2WRySMyDa"
    "oKY4FmUbzcwgn0mh/Kmo+leqlnKZXjp7rJt454ryLi3V+YW656klKveltWXcBbw7eP58vy"
    "0AO5+KskkUKWUbVqnR98wEZBSFssZGbHoLZs4Z/D2rplg9uSH20ivI2+Ao/Ql4tv21gd68"
    "ZGI0L/U3Ihtq6Ntdd9XlNlrN36U/nemHy9Qq4L+VeY7VGVGNAt7FPFhxrz2Nh6e1XFOqs/"
    "QcwX3dA91vfszcsPnNtH+HbLOHDVwsNkBm1brgZVjETBWMQ6mm0v8EQG4BWBgvCelCmefJ"
    "JfO/kkUzrZRKa/QMYjkjLWJKmUC/aspUj1Aj5bBAq4b34JnhiJLsCTUNOrKMBzIBEBYQuT"
    "ZkyU1Qfghm1iBDjnGy1iJMoEz1UmcyRk7QyoG1qipGgVtAAersVP4JXewXmm/WYHuNJyLj"
    "PtLZPzlukgD9GJf1QqyoMNyz/1j3QxLvWdVKWKcSHb2yZSbk2mz6m2nVMZ386eUuvn7ke6"
    "5kv43BEl16/vdgvT6+eu8RAbKNEM4u7qDoTPAFPigIFtOgSbgOpnC0IXG7ygBzKkG2BiEd"
    "8EdMTCwU+UALjIeUKOoIVl1ZPrJhDtylU/nCL6jdnWaimj79OPQDYnMk6jIM61JB0soOsu"
    "CeXk8r0KBKRKoF50utfRqkCXzW+sbL5WYfJ5jcIqTBuqnB28VLST0rCxHppkvNLW1dAOIl"
    "5JshbaTkrYb2g8I+RxEHhoOgJFLDWiW6SMLYOxBowN3qiQ0WUHP49Gn0BIxaqMhTVsWXEw"
    "1kYPPSGqMXkk+GOlQbH6YqtqtxZ5EChkVU9eJowqmoONp6uow6faGT4VhtfJLkKCTKEYqs"
    "brvoZlteVqDKXIlNA46q6UwBmcDMgrAgXh7ZcJiOjnB0T0MwERQXix7c/HokjsDUkHazKF"
    "WEl1oRFrOUIu1KQ6wb0MoscHAic9uiZEzqgWI1GQGVQfHRWWiBAX6S/QNxNUmhVk9660m1"
    "9dD38tRVFM3+H9Z4y5TGRfikoH92mTozY5gpUFQM7qmKLS7RU256LGTS1JlKWTUUM71zA2"
    "44FhXda+mNpnbWq3kF6EfHtkfJ02GyTj+6RMiMjn20vWlSCM5SDM1Ac8QiyXZ2ggGxC7C1"
    "x/zMjGrJsWAS4Vk8F90Evh/+4Dq6IrihCpdO5yaZ2htTz0Gur+Bo3GjEiGi6gbKVJL+bH4"
    "m0mgnCJTTkeoJVok4DtZmPMT3tYU7ch3Y89TJt8N2xPLN5GxQI5LbGgZjAUJnBlFgSS5cz"
    "QYV7K6crCBJS6i2pq3RRBVhlAJtq9DqJQNoTKxy36/uUWpYgGpcsdur5SI0ysQcXoCEScC"
    "Tt6IlCLVuRhty8VIirLQNLBtQMOhIzIrnW+ETdNpM6w2w2ozLEOEmbW24psJSs0228w2Wx"
    "Hfu++PWHcxboNlfZcuxmUqrJyFlB9+uUUWzDFe5cbtKgL6tzodEAPk4MmsI/A7hHe6Re4G"
    "uB5TZ6VGbb9v0n7/hBxX0rocI1HCoNNAxif7qCQQDocriO5x2fIdRdU7so0vbU8YBJxvuo"
    "+RNG+734/oW5mVfq8VFr79D/NRuCQ="
)
