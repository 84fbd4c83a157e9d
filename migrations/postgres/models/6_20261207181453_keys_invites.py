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
    "updated_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "telegram_bot" IS 'The bot''s username as getMe told it, keyed by the bot id that starts its token: the';
        ALTER TABLE "invite" RENAME COLUMN "token" TO "token_hash";
        ALTER TABLE "api_key" ADD "label" VARCHAR(64) NOT NULL DEFAULT '';
        ALTER TABLE "api_key" ADD "last_used_at" TIMESTAMPTZ;""" + hashed


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "invite" RENAME COLUMN "token_hash" TO "token";
        ALTER TABLE "api_key" DROP COLUMN "label";
        ALTER TABLE "api_key" DROP COLUMN "last_used_at";
        DROP TABLE IF EXISTS "telegram_bot";"""


MODELS_STATE = (
    "eJztXWlz47aW/Ssof3mdKafLlpd2OlNTJbuVjl+8dNnqLC/9ioZEWOKIBBguVqve9H8fAC"
    "QlLiBFSKRMIfjSiUlckDoAL3DPXfCfA4eYyPbfPgbEQwfvwX8OMHTY/2RvHIID6Lqry+xC"
    "AEc2b+kvm4z8wIPjgF58hraP6CUT+WPPcgOLYHoVh7bNLpIxbWjhyepSiK2/QmQEZIKCKf"
    "LojT//TS9b2ERfkZ/86c6MZwvZZuZFLZM9m183goXLr13j4CfekD1tZIyJHTp41dhdBFOC"
    "l60tHLCrE4SRBwPEug+8kL0+e7v4Zya/KHrTVZPoFVMyJnqGoR2kfu7IWF07MIy7+6HxOB"
    "gaxoEEQGOCGbj0VX3+6yfsFb7vHZ++O704OT+9oE34ay6vvPsWPXoFTCTI4bkbHnzj92EA"
    "oxYc4xWovh1OirBeTaEnxjVpn0OWvnIe2QTH7kLrwK+GjfAkmNI/Ty8qcPy1/3D1c//hze"
    "nFd+yBhE7+6JO4i+/0+C0G9Qpa/l8JaJP2zUCbXFhhu/pUdw7uce+oBrq0VSm8/F4WXxti"
    "qambtN8dvgfQO9gJvr0a6PZKse3lkSVzioWBHGjZMgDnxHaI845QPjutg/PZaTnS7F4W63"
    "FIl1XHMAmFDcugXRDcCO9Y4XZRI/fOTmrBfVIB90kebmjbZI5MY27ZcAH9IuD/fLy/EwMu"
    "EM1BblrjAPwfsC2/sM9obKr/93OIxwxYMAotO7Cw/5Y973/a+gQqhoBBxXp2fP8vO438m9"
    "v+7/lBubq5v+SQET+YeLwX3sFlQav7gUE8k2oSHDoj5Els+oSy6/eATY3N8dHRUae3gSuU"
    "zdC1rTH9/XQ2Y5PMDcfCYYAE30Mp2FVd7A7zk31BHBMDYn9Op6ZtOVYgAbRAcnf47gu8Yx"
    "tazgazuCC3O2h7+4KtR1U2nX2MESgie0mIjSAWo5uTzGE7oqJtgbu8stsl8fL+/iazJF5e"
    "D3ML4efbywG1dfj6SBtZARKj7lt0JxQYmATWM9Oz9CUFE7sS/rIu9DhIjMPYQwwTAwp09g"
    "d6J7AcVKJbMpL5vWIs+jb5n3008ukPNO+xvTiI7ISKARle3w4eh/3bT5lR+dAfDtidHr+6"
    "yF19c57bRC47Ab9dD38G7E/wr/u7QX5fuWw3/NcBeycYBoR+BXMDmimTJrmaoPaNMY/Psx"
    "RNxi6M4Hg2h55pZO6k6FPENpqiLzMW/OmXB2Tzb08wC2Ly9RYlu9U9mwHfkjmfXF3NhBRx"
    "i18s4aosA9E170RViKBrGTO02BKjvmv9ghaqYvSMtp1DH5BtvSBv8RNSdiK5HjHDcbAlUJ"
    "+iXlQF6QV6FsTbgvRr1IuqIEX84tZL21XcjaowcbppS4zuWR+qAmSZyHFJgPB40cASd73q"
    "TeGlbjyF22qnIbLRxIPO1RSqq6JI6FnIM+CY/t/W+vwq6q0fdaYqZnM0mhIyMxA2XWJtDd"
    "pvUXeDuDeVUGPWH+mRMnsweyvF2zi+MaE/fw4X5dDeYzQk9J/1AD86/sdVb5LevC5D6/Sc"
    "HLQOxHDC35J1x4Sz5rEgamllOJeHLTmrNuvilg76INGbIPSRB+ZTAkbIJnjig4AACHgMFI"
    "A+4M5uQDxAXxkHbw9ygGzXkyBK6s9V+FUQd2ywjg3LPPi3DqF6xRCqwnAUv3prUoqySHp3"
    "Poj2Yf+h1zs5edc7Ojm/ODt99+7s4miJf/FW1UBcXn9kY3GYJgQFbrbOB13tKFjluFcnoI"
    "22qgi5KoS0ecSWQjdpr2BIWx10y7EtIEtXJetF1r22EtqhRydR3Xvr0PlfulHdyJ+TEdTu"
    "nK67czLOVLZ3Eq7NpQtzWkSlBXmrfVDBRZaDuIjvT/SqNcG/oAWH+Zq+EsRjkdLKJyLsGb"
    "xlxg697MH5cjOemVf019PfjCJNddV/vOp/GBx8K3c7SpmkkkZW7GATGFkr11u5kWWt2qw1"
    "spiKoQbQ48/973tn54A8A2rkUKNohjCw/MgwMg+Bbc0Q6H+6Bow1fE8FxsRdJK3ZbnwEfQ"
    "SIi6Kghoz11fwjvmBMIrm3YLjqK/CR/cy7nFI7DhA6tQ+BhXkHtoVnYEJXaMwsPnbFRZ5P"
    "cJmJp62417Ti2HgaU+hPZTa4WSnlkmLO6wS8n5fHu58Xwt21BdGWBaHjlP6OG1v01bVobx"
    "uMelZSwVHfk1FOMKkc5tDf6MtOiTUwwN30Ligxvto+1faptk8r7dM4uFFgn67CHsvt0zjA"
    "chsD1Ud0oxSszMcfI5POQ8/WV/BMR9XnFzwyfwv6sXuPWgZU7oXOE7umjbrlU77gNwRzQ5"
    "PanIROA4aVCUYL8EQnJrKfvvsReOiFzOhLANbSR4EPnvglvlY8AYhNYCP4gqInEWae+tpm"
    "7aDNGs0KGXNqJaGcrXp8XsfflV/kU+6u87xFFX2K0pxATkxBy7V5WoDrJhmQlwLKOW6bB1"
    "czA+XQq8sM8GT4De3GvKw2HrtsPK42b7LjnJXUo9zlUdYUgaYINEVQSRGk8/sEPEEu/a+c"
    "LDDjhsYzqunSpl1ymzuqDQTenP/wvQNdMKZ9f8cN6qRLwKbKj+Du880NcBDEPsAkoLb/M6"
    "K2PrO3PVSMJW689+r44ugxButehxa/qoGfHokCuo8OtO1SiHOiKqn/k9678yXS7I8qkB9v"
    "+zc3xSDAKXFQ8nnXnLRpkY3g7NjmqPGaUsifSUKaFtGQCmrA6D2f3vPpPV/Vni8pVSDY76"
    "WqGJTv9dxUo0bLWqc2VLxost5J/X3rXL+2Cs3GndWpxXxRXor5olCJuftJVzv0QtWqdH1e"
    "Uen6vIBv+s0KMA/R1/LdVVpMAU9JFZ83+H2YofIKxWiXdN7N/d3HpHm+Qm0WeNezxjL72W"
    "V7vfMS7GbdKQmIlLc6EVBg6mbVxNlxnZLttFWpmuD3dA6hLgrZOa2hrktVm+PaHFfAHNeF"
    "8Jqt/SPJWCRwCRiLFJLljMVLqlFrjMUs1ITF6xIWdAQktspxcwUt6ubj4YhbUky9/OyXlI"
    "g+86XazN7gzBdtZjfsNBrP5LaoUXt9qkgeSm1R78yijv0wctZVVkhrA+1Cfg2bNeVC3NJq"
    "Va/u+mHObs1+sWLLtTB9NR+wIz4gOjvPtvC2Jy3wiuY3tB+FIG+VFFiWyRewAukS+uW0wD"
    "jdqkaKK88h5WGlcSVabAJMPAdS0wKZ4M3g7TE1nYBLR1cQkrqBfDXjwNtpzuF180n5GBRw"
    "rXTQYXU9+U3nk+owiXYPBB/ZVBUzYgSJajBXmWw5SX0+noThtsTO8BD0RREq5TNcJKucr7"
    "93VGeu01bl51gfVc31DZzQRWmd+9fl3L/0eI0Ex0rU+MKWksp9X61UOtcBHuXo6wAPTZbp"
    "AI/9IXT06XS743EisAQkzhLFcgaHLJu0FdaBQ34UUp5lSQd+BDAI/QPaoMDNHGbWtmyL4g"
    "3eDbsDbZtBy29pOmeXdE482vWBXQnolUzoSksmdXH3PaDYFVau3EYhkd7hDtxF2GQQySF8"
    "8Glw9+H67uN7EMt/wVf3dz9dP9wOPrwHFOVny3OQ+QV/eri/Gjw+Rk09Mka+z1s//nz96R"
    "Nr608t12UtPwxurn8dPLBrcbECdvWqf3c1uLnhvTLQbJtdfRgMPz/csYseCkIPR6TM6/N3"
    "9KV9YQpO6QeVktjdF3W8J5+TpkPbpUM1m9+qNtC1OdqqzZGCxzi72ALcWFrjm+O2iOOEGJ"
    "VM3XL9kJdTUE00fSZHjJjsUpeXUxHpxrPQoWl6dAMqg3NKREGIz2o5ns4qHE9nRcfTsjYa"
    "R0oC64Kggog3rD4wCeR2yHF75Vw8rcxkPxwFJICCstPlZH9KRKVdRYM1wLKVE2vimhfT2A"
    "qwlZ2seqauzZIx2EbLCuQDhgTSOmhIImjIJ6EnSvmqSHBcSuxwdeP+jWePRF/MPrIUz/Th"
    "yHO9+KOvi3ZOTMGtWgvHLNgWwoFhuVKWXlpIuX3b6VkNkE/PSkFmt3IgQ9s2INW5jisqW1"
    "C6GBbkdLJjgY8nBsT+XBgvUO4yzAhpUPOg8pM0+OQjYUD3C1JrnlBYOSXRq6OJe+WauCc4"
    "TSjBbcOjT1KyOjC2y4GxYxvSMWChrcKovap1Nyeo3GfVxgZniZk0oV0UVQ7wduKQGXDG5q"
    "c8i+S1Suu0SksFzMkOdlZUj3OXx9kMXdsaU+gN8ixDlebE9LEJIgd36FmiyMcqj+tSRLmF"
    "qfkNNotOnsVxhXURTssoB7E+tHOX6kLdBKTQNTcc9aykHvWujLpgLxC/fepbj0t3yGWe5a"
    "S0l09Xv2oNU53QVwpvcwl9IpXQALDp8kGKYptThRl4H6h2fri+GtZLmNS1r8Q5k+m5iV7Q"
    "1jXDOUgD1pGqKFkmclwSIDxeGDO02BKv61Vv9MtXFbMxRWNLoK5ou1vk+3Ci7PfHaL6tUb"
    "LtfuQNVwklqczu1BZmarkOEkXIJJjeYzQk9J/1yD6m+tovFq4SVdkUeL7+laXBJ4vjmlR4"
    "XoiSt2s0H76Q/B7l3evk9N3WGowLwcp6EvNyCoamtXKGYHxqiEEhQIIo4nLAC4LKkbetFG"
    "jT53e0Ro3T3xkYsmdGZIU0sSMgy/4K6XduBYL6cqWopkU0pgJMo42M1A4iLaIxFWCarEhS"
    "qGaFNK7rid1lOaot+UfV6ocd5sjH9Pe6nthNnd62Ja7qHbuXRzb7zUqzuq3XeYv4yzIrd8"
    "lurjNz0bLh2rL9wykCzH/LLGPw5vHT4Ap8CY+O4LuTt6ffvQeIJVGC8RTiCQJzK5iC+ZQA"
    "B5oIWEGxiP/WvdW3rg+5ZSxnY19ak7+Lmf1Dr3dy8q53dHJ+cXb67t3ZxdFSmRdvVWn1y+"
    "uPTLFn9tLrjXH5cAMdZtCtMIM6wSWyFRsULtRwUuf49ZPy09dPCoevP3vEMaoqBJYkWmbF"
    "NoK6Yzxy2ymtdIbL45wR0iivR5luQ4hnzOivk4E5K6Wg4mgLaLnspbSMcnRs84RhBJespy"
    "ErpRzMraQr6YpFCbpHtZwKrFk5vkeC8lt0C18EuPzg6qR9N06tZo9V5tRqTe1qCrIjRNl6"
    "CvJ1WLJc1JqAKSvGtZWzZbmIunqM2adwZFtjQLGDMwQ85Npw4VMUpwj49FUA7SguM+6vLn"
    "I8i3zZln1Vn83AfpE+/vI1Q1LiOVV37xI3V9HIaWNr6CH6S/3AmEJ/KgNzXk5BvHX2oCZ4"
    "myB49Y5UZ5B1FVOdQVYKbzsZZNp22m/b6T4MRuRrksoiCjLINDisjDPgTQ0n1bbdkPqVrw"
    "W+QItPEfkD4LT/n93bhf//NRa5rvnTmq5BM4UYy0Xap0QUNHLacAS71ljOCRwLKAjvaR2T"
    "/bTcYj8tGOwmMkMXGZKsSFaqGaBfV0O3T424cGETKNC+5X6dlIh27TTu2pGPL9mj0z03nv"
    "m1Jn7FvC+45eXLeOsK3lV7jsxeuwDqmoDOnKyCzN+eMH0JJpVUn03GM2QaIQ4swR5zTYnr"
    "nKyuE7oHIz2S2oVlhJQLrmneX8KrviPPI1JFQ7NSysHcVgyTdk6VD4C6zimfnXMjP+QpMb"
    "1OdW2dKjh1XocqHyIbTTzoUE0tTMfL3D+sIsqDuKUxTpquDTDqswy5AATsHw+NkfWC4ugf"
    "xpD+w48CgAAvbfUeQOAgZ4Q8et31rBc6UyNx4nGZAEEHTDwSusXoozYfVB2axASNJH1Phy"
    "e9UnhSMgoFZKv8JCkhlVzRO/GXpCLDJNNgdAKMDI1vBbZcXmIioN6Ouw12OfRLgoKq9EZK"
    "SCHv3o7VBt030EVaAHzV0bIroR2eKJusk3t7oKxp+ez3mwY1oPyoPmNtj1VRVDnF0kqJM2"
    "3Hl6OvsB2vAyJ1QGS78DYXEFnOR+ii0w2XU5bkbNKQCSibHKLljA0bPanARl71KBYA/pTM"
    "KTSA4DhRC1iY/8Hs5kMAsQnmU06JACsANpxEjEtJflhjPX/BX/DTHGK2Rr4gz6dv/gSsVA"
    "sQX+VXGATseaHN/zP/cXWVyjyZlhcsngB39wH4BfuIPpt4AJkWI5LonPN8VtAJ9CMZFjmC"
    "TPa6EJjWBPkB/X96CVKpZzBC7FcxVhZMIe+dtXgqZ5GWccicUstTSH8eJEwbf00dIdrRCN"
    "F4WkvbkVk5bUpuakpmlYHE3qsoqONm8uBGSnAjeEWiGuA8wAH6Kp/4mRFSziJvPoYhWkCL"
    "2rmKbFrKaK6pPtdEbWkk8gdUIr0S2iHUyyt7i3W0vZSe1YmQxloCa334aLnu3k8+TxC4UT"
    "xNqsyt/HfzKeua/x3DVBeGWrcgNFybPqFitgQ1H26lKLYpNdilvPH00X5CYjVz8l8VsWrb"
    "Bky1XEus3mME3CnnOKksCEjEQ8ZnszLyEII4ZSlmMbM150++K1KqDfXZbqH6vwsH2Vpom6"
    "4/v+87zTqeY11SWpeUVoVs0yWldxW+SMJgTORgTokoqC96dSZzr3wy9wqTWVftjqE9qxUm"
    "d1YRJncmCJOjG1e2td8kTi4rqhOgusOjFbc3mvbRtE9HqImu1rRLmKHP3F9wUJGqF7c4rJ"
    "WsF64ar0/XwyBqDiwzSaMzQRxJNUejKSGz99Fpdz47AA/a7CpwPTJGvo98MEJTiwVQYQSo"
    "cqD6wz8ssBZtPOQLTrD5hw8ibyKnP5aPsiE2ffYQiBfsDn2Ww+PMLB9QEG2Lv4JN79Fvoz"
    "Yrkrx9dfm+6BXks0zSYs0owC7wJK8cq5UeMskNR05U8ytd2YGU8Ssdy8C+JJUJ2Ox2PZU+"
    "IhInotLGVCeylDX2XAB9QBXaLQIBsan2Cw7ZwQxU+Y0WXP/S1kwt8zxqulHwAhb96tPGM4"
    "T5YQ4Fdd7CM77gq5trlpmN2eW3tEfbwjOfrwnUfAXDwc3g40P/1rikc/7z4+Dhrn87iMKG"
    "IcBoHnVFX4PKwAmd3TUVeqkGp28srb5XMlp3N6S7kwkmY46nZRTkO5on73Sgi2rLY1mgS0"
    "eWxysSehby+uMxCcUnhudaVC6S46itAVONa5QpScqExGKAFQNhftWotx/B2EMmwoFF5alV"
    "Am26mnELBfJzjdhBteBxcPVAJ9gvgz9E5Umaf8AW65n207ZRgiQaSpnFKSWi4NrUPBdPf7"
    "dc1fClgHJs/EUdMv6inIu/KFDxI+gjI/Sk8E3LKAdx7+yszgQ+OyufwexeoS5AoueNSM8X"
    "8R6ir2XRpUJpBZCv2koNfh9mdlGFItbLndTN/d3HpHm+snV2GCx/+RsK8FeGz2cFdQi9RA"
    "i9rviywyycZ+Sh2M2TRbu8bH5GSBfOr9Y5GxTOX+Jr+Av672YUtLAL7fvujmld9H3zSsgB"
    "O6aTbBLnIBDX49358db1sncRPaSLbCnGVeoiW52IJdJFturFEjVTZMufWq6DsOiwH5lCW4"
    "9xN3u7+u+2yNYSLoHHIQ1lua/BT7eq5Yx3oTdGdhyaFJWzAk/LTT0vY0VCD1gmclwS0GsL"
    "Tv/zyuZLZwGrX+6hwFsU3AzNP+ILhs8B8uifbB1kznebkFlUbCt+Uugyx76VKYTFl1eWdg"
    "aBj+iw8mit2mFVKVqcYTpjv442+vMAs6onLuG5dzoNTbs3FHNvVLA25SBXsTYbwtyhIyWb"
    "j29ghxFKAbwU2KFN5iHamFUa3I1x1vzxhUu9LQF0WmYjrDu2q2l/JhOXvtpMMpkxJ6Yc09"
    "A80GNiGtBJwklq7iuyQrrsXd5F8YwEWrgUzbi1QjUyGwOyJCji0sLQW8iFRYwWAfL3D9Eq"
    "n1rsm1nSWvQzv7y+6z/8IfYeXwp8OZd/DAd9EegRbhKqNyulnOY9rUPxnpYzvKcFgndPzp"
    "qO2eTdoNyC3QHnhjzSWSnlJvNxr9b5nr2K4z17hfnMMJM/hCUrpRzSJ7VcQycVrqGTomso"
    "mpmbnKmZFtSOVu1o3bOvqRVHa4Z4lfyg8rL6m+ryN8UHKj4hnZ+KITvcwg70mO/LmI8EVd"
    "LLdWlRUjl92gKdpKNW/oZRKzqvUrVRF+jWQgHxON1PLlopK6Q5z45WEd97d39FAFgqfXbL"
    "ELBi8u5+Td26oWDZjzYTDEZfAdx9vrmRqyy1trLXPUZDQv+pORAb1/V61XleF37Jql7bRY"
    "45/keK3xwuDkSxY6u7h5XRY45vTFINJbLUH28fQfwM8Ew80MemRywTIGy6hGIE3tA9OaRo"
    "jm0S8vMMXc96YXWwfOS9IE9QS7zpznV2erfCt/Ynu3d3AVxt5PfqGjW78aS40PfnVOlvkE"
    "QtEFUC9V3nUOt83p3l82rKqFzX7Cd5sDeJTnu/K9qqzNXalChJI2zjhKi9MMIk06G2MsJ+"
    "iyoFD2Kr5EBgieWbHFaZY3HlYQOlW9ewyT4/3LAsl9h4IvzQ+oCuZX50Vjw71/4Q+OGIiY"
    "2QyU5p8omDwFOUm/NfTwC9sNwvkUnWaN91Mm+WkzxepnWOzU6NNEn7TF3TrJUghvSbSaCc"
    "E1POwdmKeRbpnSLM5dVnVhLdKD3DnqdM6RkLj+3QRIaLPJ9gaBtMBUlabqV96CJYEpacj6"
    "hFFmzAWhQElVD7mrNQlrMwLZ/9fnODgGeBqHLLbq/WFqdXscXpCbY4CXDyRFFOVEfsdSeq"
    "pMgMmQiahoUNaHi0RWGkSw2xgpzOS9RUq6ZaGSKMqtpIb2YktdrsstrsBKH+2h+xrhy2h1"
    "R5WZheECDH3bZwWMyT96POFAK91fphOdTK/Q8pXNe7H2Cq8Vrvwz1G4Ofh8BOIpVgVL9oz"
    "NVYZXPyAEU6rMccA/2MZwsXqd8UtF8AmE0FEWNOd1/E/pJ0v9NuQcz9UncalmAfilQ/iIm"
    "EwIl+lj0TLiCkU1r6T0cjsVfmnJVn3JyemBH3Ydv0JruBkQF4KKAjvSZ0qYSflVcJOClXC"
    "oqBtHDojUXz7mlSOlZhCqqQxGiO1j6ibdbSS2J2hc7wncNKla0zkonpTIgoqg+ZLBsaFN8"
    "Z0byxln2ektCoozl3pChnqFsdopdSMGXrcwDYcgR1eTsVnpTQRr4l4TcSDJQMgx9LmpDRR"
    "u56oTVMtW3K1gjjbPcO6Lmubm2eyxG2bdGQfedZ4eiCgIeM7h1X0I1y1Wcc6loOqcz67FU"
    "78gjxfMtg1JaKg0dJKxif7qCQQjpsriO5xrc31ccXm+lhwxBfBgZCDK48kTonsPpT4dTzx"
    "jQUNb5Uste1i9u3/ASpDDlA="
)
