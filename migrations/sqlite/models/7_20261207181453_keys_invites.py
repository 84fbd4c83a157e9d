import hashlib

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def _hash_invite_tokens(db: BaseDBAsyncClient) -> str:
    """Written by hand: invites made before this version kept their token in clear. Each
    is replaced by its SHA-256 (computed here, as SQLite has no SHA-256), so links already
    handed out keep working and no token stays readable. Run before the rename below."""
    rows = await db.execute_query_dict('SELECT "id", "token" FROM "invite"')
    return "".join(
        f"""
        UPDATE "invite" SET "token_hash" = '{hashlib.sha256(str(row["token"]).encode()).hexdigest()}'
        WHERE "id" = {int(row["id"])};"""
        for row in rows
    )


async def upgrade(db: BaseDBAsyncClient) -> str:
    hashed = await _hash_invite_tokens(db)
    return """
        CREATE TABLE IF NOT EXISTS "telegram_bot" (
    "bot_id" BIGINT NOT NULL PRIMARY KEY,
    "username" VARCHAR(64) NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
) /* The bot's username as getMe told it, keyed by the bot id that starts its token: the */;
        ALTER TABLE "invite" RENAME COLUMN "token" TO "token_hash";
        ALTER TABLE "api_key" ADD "last_used_at" TIMESTAMP;
        ALTER TABLE "api_key" ADD "label" VARCHAR(64) NOT NULL DEFAULT '';""" + hashed


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "invite" RENAME COLUMN "token_hash" TO "token";
        ALTER TABLE "api_key" DROP COLUMN "last_used_at";
        ALTER TABLE "api_key" DROP COLUMN "label";
        DROP TABLE IF EXISTS "telegram_bot";"""


MODELS_STATE = (
    "eJztXW1z2za2/isYf9n0jpux5Zd40zt3RnbU1FvHzthKu7v1DgOJsMRrEuASpBXN3v73C4"
    "CkxBeQIiRSlhB8SWsSB6QegAc4z3nBfw48YiOXvn0ISYAO3oP/HGDo8f/J3zgEB9D3l5f5"
    "hRCOXNGSLpqMaBjAccguPkGXInbJRnQcOH7oEMyu4sh1+UUyZg0dPFleirDz7whZIZmgcI"
    "oCduOPf7HLDrbRN0TTP/1n68lBrp17UcfmzxbXrXDui2vXOPxZNORPG1lj4kYeXjb25+GU"
    "4EVrB4f86gRhFMAQ8e7DIOKvz98u+ZnpL4rfdNkkfsWMjI2eYOSGmZ87spbXDizr9m5oPQ"
    "yGlnWgANCYYA4ue1Uqfv2Ev8KPvePTd6cXJ+enF6yJeM3FlXd/xo9eAhMLCnhuhwd/ivsw"
    "hHELgfESVOpGkzKsV1MYyHFN2xeQZa9cRDbFcXeh9eA3y0V4Ek7Zn6cXNTj+1r+/+qV//+"
    "b04gf+QMImf/xJ3CZ3euIWh3oJrfivArRp+3agTS8ssV1+qlsH97h31ABd1qoSXnEvj68L"
    "sdLUTdtvD98DGBxsBd9eA3R7ldj2isiSGcPCQh50XBWAC2JbxHlLKJ+dNsH57LQaaX4vj/"
    "U4YsuqZ9mEwYZV0C4JroV3onB3USP3zk4awX1SA/dJEW7oumSGbGvmuHAOaRnwvz3c3coB"
    "l4gWILedcQj+D7gOLe0zWpvq//0U4TEHFowixw0dTN/y5/1PV59AzRBwqHjPHqX/drPIv/"
    "nU/3txUK5u7i4FZISGk0D0Ijq4LGl1GloksJkmwZE3QoHCpk8qu3oP2NbYHB8dHe30NnCJ"
    "sh35rjNmv5/NZmyTmeU5OAqR5HuoBLuui+1hfrIviGNiQUxnbGq6jueECkBLJLeH777AO3"
    "ah460xi0ty24O2ty/YBkxls9nHGYEyspeEuAhiOboFyQK2IybaFbiLK9tdEi/v7m5yS+Ll"
    "9bCwEH75dDlgto5YH1kjJ0Ry1KnDdkKhhUnoPHE9y15SMrFr4a/qwoyDwjiMA8QxsaBEZ3"
    "9gd0LHQxW6JSdZ3Csmom/T/9lHI5/9QPsOu/OD2E6oGZDh9afBw7D/6XNuVD70hwN+pyeu"
    "zgtX35wXNpGLTsDv18NfAP8T/PPudlDcVy7aDf95wN8JRiFhX8HMgnbGpEmvpqj9yZnHp+"
    "cMTcYvjOD4eQYD28rdydCniG80ZV9mIvjzr/fIFd+eZBYk5OsnlO5W92wG/JnO+fTqciZk"
    "iFv84khXZRWIrkUnukIEfcd6RvMNMer7zq9oritGT2jTOfQBuc4LCuY/I20nkh8QOxqHGw"
    "L1Oe5FV5BeYOBAvClIv8W96ApSzC9uvLRdJd3oCpOgmzbE6I73oStAjo08n4QIj+ctLHHX"
    "y940XurGU7ipdhoiF00C6F1Nob4qikSBgwILjtn/bazPr+Le+nFnumI2Q6MpIc8WwrZPnI"
    "1B+z3ubpD0phNq3PojPVJlD+ZvZXgbj1oT9vNncF4N7R1GQ8L+WQ3wg0c/LntT9ObtMrRe"
    "zytA60EMJ+IteXdcOG8eS6KWloZzddiSt2yzKm7poA9SvQkiigIwmxIwQi7BEwpCAiAQMV"
    "AAUiCc3YAEgL0yDt8eFADZrCdJlNQfy/CrMOnY4h1bjn3wLxNC9YohVKXhKH/1zqQSZZn0"
    "9nwQ3cP+117v5ORd7+jk/OLs9N27s4ujBf7lW3UDcXn9kY/FYZYQlLjZdj7oakvBKse9Jg"
    "FtrFVNyFUppC0grhK6aXsNQ9qaoFuNbQlZtio5L6rutaXQFj06qereW4fO/7KN6lr+nJyg"
    "cefsujsn50zleyfp2ly5MGdFdFqQN9oHlVxkBYjL+P7MrjoT/CuaC5iv2StBPJYprWIiwp"
    "7BW2XssMsBnC0247l5xX49+80o1lRX/Yer/ofBwZ/Vbkclk1TRyEocbBIja+l6qzaynGWb"
    "lUYWVzHMAHr4pf9j7+wckCfAjBxmFD0jDBwaG0b2IXCdZwT6n68BZw3fM4Ex8edpa74bH0"
    "GKAPFRHNSQs77af8QjxiSWewuGy75Citwn0eWU2XGAsKl9CBwsOnAd/AwmbIXG3OLjV3wU"
    "UIKrTDxjxb2mFcfH05pCOlXZ4OaltEuKOW8S8H5eHe9+Xgp3NxZEVxaEiVP6Hje26JvvsN"
    "7WGPW8pIajviejnGJSO8wRXevLzoi1MMC76V3QYnyNfWrsU2Of1tqnSXCjxD5dhj1W26dJ"
    "gOUmBipFbKMULs3Hn2KTLkBPzjfwxEaVigsBmb0F/cS9xywDJvfC5onb0Ebd8CmP+A3Bwt"
    "BkNidh04BjZYPRHHxlExO5X3/4CQTohTyzlwC8JUUhBV/FJbFWfAUQ28BF8AXFTyLcPKXG"
    "Zt1BmzWeFSrm1FJCO1v1+LyJv6u4yGfcXedFiyr+FJU5gYKYhpZr+7SA0E0qIC8EtHPctg"
    "+uYQaqodeXGRDJ8GvajUVZYzzusvG43LypjnNe0ozyLo+yoQgMRWAoglqKIJvfJ+EJCul/"
    "1WSBnTS0nlBDlzbrUtjccW0g8Ob8rz960Adj1vcPwqBOuwR8qvwEbr/c3AAPQUwBJiGz/Z"
    "8Qs/W5vR2gcixx673XxxfHj7F49ya0+FUN/OxIlNB98KDrVkJcENVJ/Z/03p0vkOZ/1IH8"
    "8Kl/c1MOApwSD6Wfd8NJmxVZC84d2xy1XlMK0WdFSLMiBlJJDRiz5zN7PrPnq9vzpaUKJP"
    "u9TBWD6r2en2nUalnrzIZKFE02O6nvt871a6vQfNxZk1rMF9WlmC9KlZh3P+lqi16oRpWu"
    "z2sqXZ+X8M2+WQnmIfpWvbvKimngKanj8wZ/H+aovFIx2gWdd3N3+zFtXqxQmwfeD5yxyn"
    "520d7svCS7WX9KQqLkrU4FNJi6eTVxdtykZDtrVakmxD2TQ2iKQu6c1tDXpWrMcWOOa2CO"
    "m0J47db+UWQsUrgkjEUGyWrG4iXTqDPG4jkyhMXrEhZsBBS2yklzDS3q9uPhiF9RTL367J"
    "eMiDnzpd7MXuPMF2Nmt+w0Gj+rbVHj9uZUkSKUxqLemkWd+GHUrKu8kNEGxoX8GjZrxoW4"
    "odWqX931w4Ldmv9i5ZZrafoaPmBLfEB8dp7r4E1PWhAVzW9YPxpB3ikpsCiTL2EFsiX0q2"
    "mBcbZVgxRXkUMqwkqTSrTYBpgEHmSmBbLBm8HbY2Y6AZ+NriQkdQ35esZBtDOcw+vmk4ox"
    "KOFa66DD+nry284nNWES3R4IPnKZKubECJLVYK4z2QqS5nw8BcNtgZ0VIEhlESrVM1wmq5"
    "2vv3fUZK6zVtXnWB/VzfU1nNBlaZP7t8u5f9nxGkmOlWjwhS0ktfu+Oql0bgI8qtE3AR6G"
    "LDMBHvtD6JjT6bbH48RgSUicBYrVDA5ZNOkqrANH4iikIsuSDfwIYRjRA9agxM0c5ta2fI"
    "vyDdENvwNdl0Mrbhk6Z5t0TjLazYFdCpiVTOpKSyd1efc9YNiVVq7CRiGV3uIO3EfY5hCp"
    "IXzweXD74fr243uQyD/iq7vbn6/vPw0+vAcM5Scn8JD9iD/f310NHh7ipgEZI0pF64dfrj"
    "9/5m3p1PF93vLD4Ob6t8E9v5YUK+BXr/q3V4ObG9ErB811+dX7wfDL/S2/GKAwCnBMyrw+"
    "f8demkpTcCo/qIzE9r6o4z35nAwd2i0datj8TrWBqc3RVW2ODDzW2cUG4CbSBt8Ct0U8L8"
    "KoYupW64einIZqou0zORLEVJe6opyOSLeehQ5tO2AbUBWcMyIaQnzWyPF0VuN4Ois7nha1"
    "0QRSCliXBDVEvGX1gUmotkNO2mvn4ulkJtNoFJIQSspOV5P9GRGddhUt1gDLV05siGtRzG"
    "ArwVZ1spqZujJLxuIbLSdUDxiSSJugIYWgIUqiQJbyVZPguJDY4uom/BtPAYm/mH1kKZ7Y"
    "w1HgB8lH3xTtgpiGW7UOjllwHYRDy/GVLL2skHb7ttOzBiCfnlWCzG8VQIaua0Gmcz1fVr"
    "agcjEsyZlkxxIfTyyI6UwaL1DtMswJGVCLoIqTNMTkI1HI9gtKa55UWDsl0WuiiXvVmrgn"
    "OU0oxW3No08ysiYwdpcDY8cuZGPAQ1ulUXt1625BULvPqosNzgIzZUK7LKod4N3EIXPgrP"
    "VPeZbJG5W20yotEzCnOth5UTPOuzzOduS7zphBb5EnFaq0IGaOTZA5uKPAkUU+1nlcFyLa"
    "LUztb7B5dPJzElfYFOGsjHYQm0M7t6ku9E1Ainx7zVHPS5pR35VRl+wFkrfPfOtJ6Q61zL"
    "OClPHymepXnWFqEvoq4W0voU+mEloANls+SFNsC6owB+89087311fDZgmTpvaVPGcyOzfR"
    "C9q4ZrgAacA70hUlx0aeT0KEx3PrGc03xOt62Rv78nXFbMzQ2BCoK9buE6IUTrT9/jjNtz"
    "FKrtuPveE6oaSU2Z3Zwkwd30OyCJkU0zuMhoT9sxrZh0xf+8XC1aKqmgIv1r+qNPh0cVyR"
    "Ci8KUYp2rebDl5Lf47x7k5y+3VqDSSFYVU9iUU7D0LROzhBMTg2xGARIEkVcDXhJUDvytp"
    "MCbeb8js6ocfY7Q0v1zIi8kCF2JGTZvyP2nTuhpL5cJapZEYOpBNN4I6O0g8iKGEwlmKYr"
    "khKqeSGD62pid1GOakP+Ubf6YYcF8jH7va4mdjOnt22Iq37H7hWRzX+zyqxu53XeYv6yys"
    "pdsJurzFy0aLiybP9wigD333LLGLx5+Dy4Ao/R0RF8d/L29If3APEkSjCeQjxBYOaEUzCb"
    "EuBBGwEnLBfx37i35tb1obCM1WzsS2fyvZjZf+31Tk7e9Y5Ozi/OTt+9O7s4Wijz8q06rX"
    "55/ZEr9txeerUxrh5uYMIMdivMoElwiWrFBo0LNZw0OX79pPr09ZPS4etPAfGsugqBFYmW"
    "ebG1oN4xHrnrlFY2w9VxzgkZlFejzLYhJLCe2a9TgTkvpaHi6ApoteylrIx2dGz7hGEMl6"
    "qnIS+lHcydpCuZikUpukeNnAq8WTW+R5LyW2wLXwa4+uDqtP1unFrNH6vNqdWG2jUU5I4Q"
    "ZaspyNdhyQpRaxKmrBzXVs2WFSLqmjFmn6OR64wBww4+IxAg34VzylCcIkDZqwDWUVJmnC"
    "4vCjzLfNmGfdWfzcB/kTn+8jVDUpI51XTvkjTX0cjpYmsYIPZLaWhNIZ2qwFyU0xBvkz1o"
    "CN42CF6zIzUZZLuKqckgq4S3mwwyYzvtt+10F4Uj8i1NZZEFGeQaHNbGGYimlpdp221I/d"
    "LXAl+gI6aI+gFwxv/P723D//8ai9yu+dParkEzhRirRdpnRDQ0crpwBPvOWM0JnAhoCO9p"
    "E5P9tNpiPy0Z7DayIx9ZiqxIXqodoF9XQ3dPjfhw7hIo0b7Vfp2MiHHttO7aUY8v2aPTPd"
    "ee+Y0mfs28L7nl1ct4mwredXuO3F67BOqKgM6CrIbM354wfSkmtVSfS8bPyLYiHDqSPeaK"
    "EtcFWVMndA9GeqS0C8sJaRdc076/RFR9R0FAlIqG5qW0g7mrGCbjnKoeAH2dU5Sfc6M+5B"
    "kxs07t2jpVcuq8DlU+RC6aBNBjmlqajpe7f1hHlIdJS2ucNl0ZYNTnGXIhCPk/ARoj5wUl"
    "0T+cIf0LjQOAgCht9R5A4CFvhAJ23Q+cFzZTY3ESCJkQQQ9MAhL55eijLh9UH5rEBa00fc"
    "+EJ71SeFI6CiVk6/wkGSGdXNFb8ZdkIsMU02BMAowKje+ErlpeYiqg3467C3Y5ohVBQXV6"
    "IyOkkXdvy2qD7RvYIi0Bvu5o2aXQFk+UTdfJvT1Q1nYo//22xQwoGtdnbOyxKotqp1g6KX"
    "Fm7Phq9DW2401ApAmI7Bbe9gIiq/kIU3S65XLKipxNFjIJZVNAtJqx4aOnFNgoqh4lAoBO"
    "yYxBAwhOErWAg8Uf3G4+BBDbYDYVlAhwQuDCScy4VOSHtdbzI37EX2cQ8zXyBQWUvflX4G"
    "RagOSquMIh4M+LXPGf2U/Lq0zmq+0E4fwrEO4+AB8xRezZJADIdjiRxOZcQHlBJ9CPZXjk"
    "CLL560JgOxNEQ/b/7BJkUk9ghPiv4qwsmELRO2/xtZpFWsQhC0qtSCH9cZAybeI1TYTojk"
    "aIJtNa2Y7MyxlTcl1TMq8MFPZeZUETN1MEN1aCa8ErEzUAFwEO0Tf1xM+ckHYWefsxDPEC"
    "WtbOdWTTQsZwTc25JmZLI5k/oBbppdAWoV5c2Vus4+2l8qxOhQzWClibw0erdfd+8nmSwI"
    "3yaVJVbuXvzadsav7vGKamMNSqBaHl2vQpFbMhqMVwK02xzajBXcobzx7tJyVWcyf/1RGr"
    "rmvBTMuVxOodRsCfCo6TyYKQxDxkcjYrJw8hSFKWEhYzX3P+5IcypdpSn90Wqv9eOMjOQt"
    "tM/fl932k28RybktKmpLQuZJspKb2t8EUShWOiBnNGREN90WsymXvVk7lXmsymancC7Vmj"
    "MLmzmjC5M0mYHNu48q39OnFyeVGTALU7PFp5e2NoH0P77Ag1sas17VJm6IvwFxzUpOolLQ"
    "4bJetFy8ar0/UwiJsDx07T6GyQRFLN0GhKyPP7+LQ7yg/Agy6/CvyAjBGliIIRmjo8gAoj"
    "wJQD0x/0sMRadPGQR5xi8xcKYm+ioD8Wj3Ihtil/CMRzfoc9yxNxZg4FDETXEa/gsnvs22"
    "jMiqRvX1++L34F9SyTrFg7CnAXeJJXjtXKDpnihqMgaviVXdmBVPErO5aBfUlqE7D57WYq"
    "fUQUTkRljZlO5Clr/LkAUsAU2icEQuIy7Rce8oMZmPIbzYX+Za25WhZ51GyjEIQ8+pWyxs"
    "8Ii8McSuq8g2c84quba56Zjfnlt6xH18HPVKwJzHwFw8HN4ON9/5N1yeb8l4fB/W3/0yAO"
    "G4YAo1ncFXsNJgMnbHY3VOiVGpy9sbL6XsoY3d2S7k4nmIo5npXRkO9on7wzgS66LY9VgS"
    "47sjxekShwUNAfj0kkPzG80KJ2kRzHbS2YadygTElaJiQRA7wYCPerxr39BMYBshEOHSbP"
    "rBLostVMWChQnGvED6oFD4OrezbBfh38Q1aepP0HbLCeGT9tFyVI4qFUWZwyIhquTe1z8e"
    "x3q1UNXwhox8ZfNCHjL6q5+IsSFT+CFFlRoIRvVkY7iHtnZ00m8NlZ9Qzm90p1AVI9b8V6"
    "voz3EH2rii6VSmuAfN1WavD3YW4XVSpivdhJ3dzdfkybFytb54fBoYvfUIK/Nnw+L2hC6B"
    "VC6E3Fly1m4TyhACVunjza1WXzc0KmcH69zlmjcP4CX4vO2b/rUdDSLozve3dM67LvW1RC"
    "DvkxnWSdOAeJuBnvnR9vUy97G9FDpsiWZlylKbK1E7FEpshWs1iidops0anjewjLDvtRKb"
    "T1kHSzt6v/dotsLeCSeByyUFb7Gmi2VSNnvA+DMXKT0KS4nBX4utjUizJWJAqAYyPPJyG7"
    "Nhf0v6hsvnAW8PrlAQqDecnN0P4jHjF8ClHA/uTrIHe+u4Q8x8W2kidFPnfsO7lCWGJ55W"
    "lnEFDEhlVEazUOq8rQ4hzTZ/7rWKM/DjCveuITkXtn0tCMe0Mz90YNa1MNch1rsybMO3Sk"
    "ZPvxDfwwQiWAFwJbtMkCxBrzSoPbMc7aP75wobcVgM7KrIX1ju1qup/JxGev9qyYzFgQ04"
    "5paB/oMbEt6KXhJA33FXkhU/au6KJ4QhItXIlm0lqjGpmtAVkRFHHpYBjM1cIiRvMQ0f1D"
    "tM6nlvhmFrQW+8wvr2/79/+Qe48vJb6cy38MB30Z6DFuCqo3L6Wd5j1tQvGeVjO8pyWCd0"
    "/Omk7Y5O2g3IHdAWeWOtJ5Ke0m83Gv0fmevZrjPXul+cwxUz+EJS+lHdInjVxDJzWuoZOy"
    "ayiemeucqZkVNI5W42jds6+pE0drjnhV/KCKsuab2uVvSgxUckK6OBVDdbilHZgx35cxH0"
    "mqpFfr0rKkdvq0AzrJRK18h1ErJq9St1GX6NZSAfEk3U8tWikvZDjPHa0ivvfu/poAsEz6"
    "7IYhYOXk3f2auk1DwfIfbS4YjL0CuP1yc6NWWWplZa87jIaE/dNwINau6/Wq87wp/IpVvT"
    "aLHPPoR4bfDM4PZLFjy7uHtdFjHrUmmYYKWeoPnx5A8gzwRALQx3ZAHBsgbPuEYQTesD05"
    "ZGiOXRKJ8wz9wHnhdbAoCl5QIKkl3nbnJjt9t8K39ie7d3sBXF3k95oaNdvxpPiQ0hlT+m"
    "skUUtEtUB92znUJp93a/m8hjKq1jX7SR7sTaLT3u+KNipztTIlStEIWzshai+MMMV0qI2M"
    "sN/jSsGDxCo5kFhixSaHdeZYUnnYQtnWDWyyL/c3PMslMZ6IOLQ+ZGsZjc+K5+faHwIajb"
    "jYCNn8lCZKPAS+xrk5//UVoBee+yUzyVrtu0nmzWKSJ8u0ybHZqpGmaJ/pa5p1EsSQfTMF"
    "lAti2jk4OzHPYr1Thrm6+sxSYjdKz/DnaVN6xsFjN7KR5aOAEgxdi6sgRcutsg9TBEvBkq"
    "OIWWThGqxFSVALtW84C205C9uh/PfbawQ8S0S1W3Z7jbY4vZotTk+yxUmBUyeKCqImYm93"
    "okrKzJCNoG052IJWwFqURrrSECvJmbxEQ7UaqpUjwqmqtfRmTtKozV1WmztBqL/2R2wqh+"
    "0hVV4VpheGyPM3LRyW8OT9uDONQO+0flgBtWr/QwbX1e4HmGm80vtwhxH4ZTj8DBIpXsWL"
    "9cyMVQ6XOGBE0GrcMSD+WIRw8fpdScs5cMlEEhHWdudN/A9Z5wv7NtTcD3WncWnmgXjlg7"
    "hIFI7IN+Uj0XJiGoW1b2U0cntV8Wkp1v0piGlBH3Zdf0IoOBWQFwIawnvSpErYSXWVsJNS"
    "lbA4aBtH3kgW374ilWMpppEqaY3GyOwjmmYdLSW2Z+gc7wmcbOkaE7Wo3oyIhsqg/ZKBSe"
    "GNMdsbK9nnOSmjCspzV7lChr7FMTopNWNHgTCwLU9ih1dT8XkpQ8QbIt4Q8WDBAKixtAUp"
    "Q9SuJmqzVMuGXK0kznbPsG7K2hbmmSpx2yUd+SCSLx9ElNCBLC01e/+wNjFVtLTosmmT1F"
    "TRGizGHRA2ZcBsijDAnB10KGDoPjmTKGA3BUU4ZNBNAuiBhPv8C/3hMHv2cYmR7OQpj3h5"
    "rvJ7zmgGc94U+AEZI0oBV7XxeQeUAcqZzkMAsQ0ge5I/54cdCLoTMvggRaz5C+ubPmJMwi"
    "l7702TYVVzCdvNI9SwEnw1q7lOTJ4JxtsgGM/s8L6XHd5GOVjtrZF9FDjjqWx1TO7Urotw"
    "2WbVglg9zqYuwm6l3LD1niomhGREtFD7W6iKwD8qBYST5hqie9yIgDquIaCOJcdgEhxK/V"
    "TV2TYZke2n27zOFqa1xJpXXcz+/H9muWBs"
)
