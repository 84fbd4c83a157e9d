from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "delivery_fee" ALTER COLUMN "desk_fee" TYPE BIGINT USING "desk_fee"::BIGINT;
        ALTER TABLE "delivery_fee" ALTER COLUMN "home_fee" TYPE BIGINT USING "home_fee"::BIGINT;
        ALTER TABLE "product" ALTER COLUMN "price" TYPE BIGINT USING "price"::BIGINT;
        ALTER TABLE "variant" ALTER COLUMN "price" TYPE BIGINT USING "price"::BIGINT;
        ALTER TABLE "order" ALTER COLUMN "total" TYPE BIGINT USING "total"::BIGINT;
        ALTER TABLE "order" ALTER COLUMN "subtotal" TYPE BIGINT USING "subtotal"::BIGINT;
        ALTER TABLE "order" ALTER COLUMN "delivery_fee" TYPE BIGINT USING "delivery_fee"::BIGINT;
        ALTER TABLE "order_line" ALTER COLUMN "unit_price" TYPE BIGINT USING "unit_price"::BIGINT;
        ALTER TABLE "shipment" ALTER COLUMN "cod_amount" TYPE BIGINT USING "cod_amount"::BIGINT;
        ALTER TABLE "shipment" ALTER COLUMN "fee" TYPE BIGINT USING "fee"::BIGINT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "delivery_fee" ALTER COLUMN "desk_fee" TYPE INT USING "desk_fee"::INT;
        ALTER TABLE "delivery_fee" ALTER COLUMN "home_fee" TYPE INT USING "home_fee"::INT;
        ALTER TABLE "product" ALTER COLUMN "price" TYPE INT USING "price"::INT;
        ALTER TABLE "variant" ALTER COLUMN "price" TYPE INT USING "price"::INT;
        ALTER TABLE "order" ALTER COLUMN "total" TYPE INT USING "total"::INT;
        ALTER TABLE "order" ALTER COLUMN "subtotal" TYPE INT USING "subtotal"::INT;
        ALTER TABLE "order" ALTER COLUMN "delivery_fee" TYPE INT USING "delivery_fee"::INT;
        ALTER TABLE "order_line" ALTER COLUMN "unit_price" TYPE INT USING "unit_price"::INT;
        ALTER TABLE "shipment" ALTER COLUMN "cod_amount" TYPE INT USING "cod_amount"::INT;
        ALTER TABLE "shipment" ALTER COLUMN "fee" TYPE INT USING "fee"::INT;"""


MODELS_STATE = (
    "eJztXWtz2za6/isYfdn0jJux5Uu86ZkzIztq6q1jZ2yl7W6zw0AkJPGYJFherGj25L8fgB"
    "eJF4AiJJKmEHxJaxIvSD0Agfd93gv+M7CxgSz/9WOAPTR4C/4zcKBN/yd/4wgMoOtuLtML"
    "AZxaUUt/3WTqBx7UA3JxBi0fkUsG8nXPdAMTO+SqE1oWvYh10tB05ptLoWP+FSItwHMULJ"
    "BHbvz5b3LZdAz0Ffnpn+6TNjORZeRe1DTos6PrWrByo2s3TvBz1JA+barp2AptZ9PYXQUL"
    "7Kxbm05Ar86RgzwYINp94IX09enbJT8z/UXxm26axK+YkTHQDIZWkPm5U21zbaBpd/cT7X"
    "E80bSBAEA6dii45FX96NfP6Sv8ODw5e3N2eXpxdkmaRK+5vvLmW/zoDTCxYATP3WTwLboP"
    "Axi3iDDegOpb4bwM6/UCemxc0/YFZMkrF5FNcewvtDb8qlnImQcL8ufZZQWOv40ern8ZPb"
    "w6u/yBPhCTyR9/EnfJnWF0i0K9gTb6rwC0aftmoE0vbLDdfKqdg3syPK6BLmnFhTe6l8fX"
    "go7Q1E3bd4fvAHqDTvAd1kB3yMV2WEQWLwkWGrKhaYkAXBDrEOeOUD4/q4Pz+RkfaXovj7"
    "Uekm3V1gxMYHNE0C4J7oR3suD2cUUenp/Wgvu0Au7TItzQsvASGdrStOAK+mXA//F4f8cG"
    "nCFagNww9QD8H7BMv6RnNDbV/3sWOjoFFkxD0wpMx39Nn/c/bX0CFUNAoaI9277/l5VF/t"
    "WH0R/FQbm+vb+KIMN+MPeiXqIOrkqruh9o2DPISuKE9hR5AkofU3a7DtjU2JwcHx/3Wg3c"
    "oGyErmXq5PeT2ewYeKnZphMGiPE9cMGu6qI7zE8PBXEHa9Dxl2RqWqZtBgJAMyS7w/dQ4N"
    "UtaNo7zOKSXHfQDg8FW48s2WT2UUagjOwVxhaCDhvdgmQB2ykRbQvc9ZVut8Sr+/vb3JZ4"
    "dTMpbISfPlyNia0T7Y+kkRkgNuq+STShQHNwYM7oOktekjGxK+HndaHGQWAcdA9RTDTIWL"
    "PfkTuBaSPO2pKTLOqKiejr9H8O0cgnP9C4d6zVILYTKgZkcvNh/DgZffiYG5V3o8mY3hlG"
    "V1eFq68uCkrkuhPw+83kF0D/BP+6vxsX9cp1u8m/BvSdYBhg8hUsNWhkTJr0aoraN8o8zp"
    "4yNBm9MIX60xJ6hpa7k6FPEVU0WV9mIvjzrw/Iir49xixIyNcPKNVWD2wGfEvnfHp1MxMy"
    "xK3zbDJ3ZRGIbqJOZIUIuqb2hFZ7YjRyzV/RSlaMZmjfOfQOWeYz8lY/I2knkuthI9SDPY"
    "H6GPciK0jP0DOhsy9Iv8W9yApSzC/uvbVdJ93IClNEN+2J0T3tQ1aATAPZLg6Qo68a2OJu"
    "Nr1JvNXpC7jv6jRBFpp70L5eQHmXKBx6JvI0qJP/23s9v457G8WdyYrZEk0XGD9pyDFcbO"
    "4N2u9xd+OkN5lQo9YfHmKePZi/leFtbF+bk5+/hCs+tPcOmmDyz3aAH23//aY3QW9en6G1"
    "h3YBWhs6cB69Je2OCufNY0bU0sZw5oct2Zs22+KWBiOQrpsg9JEHlgsMpsjCztwHAQYQRD"
    "FQAPogcnYD7AHyyk7welAAZL+eGFFSf27Cr4KkY412rJnG4N8qhOoFQ6hKw1H+6s05F2WW"
    "dHc+iPZh//tweHr6Znh8enF5fvbmzfnl8Rr/8q2qgbi6eU/H4ihLCDLcbL0PuuooWOVkWC"
    "egjbSqCLkqhbR52BJCN20vYUhbHXT52JaQJbuS+SzqXtsIdejRSZfug3Xo/C9RVHfy5+QE"
    "lTun7+6cnDOV6k7MvZm7MWdFZNqQ99KDSi6yAsRlfH8mV8258ytaRTDfkFeCjs5atIqJCA"
    "cGL8/YIZc9uFwr47l5RX49+c0oXqmuR4/Xo3fjwTe+21HIJBU0shIHG8PI2rje+EaWuWmj"
    "kkMO6Ys+qrJs8BMSikleC0iXHnJRJ/T7gh/5fVEK/Fa6dFu6tIrY+R5VPPTVNUlvO4x6Xl"
    "LCUT+QUU4xqRzm0N/py86INTDA/eTZpRhfZakpS01ZapWWWhLmx7DUNgGAfEstCTWs5w+j"
    "qgKA4PGX0Y/D8wuAZ4AYZsBHRFEKgOnHTizjp+iq66GZ+RXMyKj60QUPL8t+sUZ6VIZivw"
    "zFeKBErJmNhHSm4slFHcdLcY/N+F0uigZN/HVoC+gvRDAuiEloODZvlSvbkQ+9vLajh57x"
    "006jnpdUpoUyLXr+ESvTQpkWfNMimyHDsC8KCTR8I8NIGmozVM8pNCBdApfGyUXVNcCri7"
    "//aEMX6KTvHwB0DJB2CehU+Qncfbq9BTaCjg8cHBA7YoaI3UCtBA+VrY7Ge6+O0Isfo9Hu"
    "VXDei1om2ZEooftoQ8viQlwQlWn5Px2+uVgjTf+oAvnxw+j2thxGs8A2Sj/v+uGOWamdEO"
    "2ZfvQyUY7kZZ/Esc9KKex3xV5pkUqLVFpkpRaZpg8zNMhMZjFfe3QzjRqNJsqoaFEhU6Wb"
    "fb+1Z196Cc1HwNSpj3rJL496WaqO2v9EiA4J+VrVZy8qqs9elPDNvlkJ5gn6ytfBsmISpJ"
    "1UMYTjPyY5crBUIHJNEN7e371PmxerRuaBdz1TF1R81yIyKV8dq73uAgdYyMOXCkgwx/Pr"
    "yflJnXrLpBV3PYnuqQQgVdGtd2uLvD4+Zbcru10Cu11VsWq2cIcgtZHCxaA2MkjyqY3nTK"
    "PWqI2nUDEbL8tskBEQUJWT5hKa3s0HaGGXUwmZf3BDRkQd2FBtj+9wYIOyx1/KDaU/iemy"
    "cXt1dkARSmV6d2Z6J54dMTMsLyTTmtHYFFbGbevGbcYpuad5K1915aOCgZv/Ytkmbmn6Ku"
    "KgI+IgPiHLMp1966lHdYtvST8SQd4qe7Auhs2gD7KFsvn8gZ5tVSN9L8qZi0Jfk3qTjgEc"
    "7NmQ2CDIAK/Gr0+IjQVcMrqMsNkd5KupiaidIideNlkvGoMSrpWePEfe2ICmk/VU4EW7x/"
    "5OLbIUUwYFsSqtVplsBUl1CpaA4bbGTvMQ9FkxL/wZzpKVLihgeFxnrpNW/NNqj6vm+g7e"
    "6rK0yk/sc35idrymjOLxNb6wtaR031cr9YxVJAgffRUJosgyFQlyOISOOoOqOx4nBotB4q"
    "xR5DM4eN2krfgPJ4wOPCmyLNkIkQAGoT8gDUrczFFub8u3KN+IuqF3oGVRaKNbis7pks5J"
    "Rrs+sBsBtZMxXWnppC5r32OCXWnnKigKqXSHGriLHINCJIbw4OP47t3N3fu3IJH/7Fzf3/"
    "188/Bh/O4tICjPTM9Gxmfn48P99fjxMW7qYR35ftT68Zebjx9pW39hui5t+W58e/Pb+IFe"
    "Swoq0KvXo7vr8e1t1CsFzbLo1Yfx5NPDHb3ooSD0nJiUeXn+jry0z0zq4X5QGYnuvqiTA/"
    "mcFB3aLh2q2PxWVwNVP6St+iEZeLTzyz3ATaQVvgVuC9t26CDO1OWvD0U5CZeJps8bSBAT"
    "3eqKcjIi3XheOzQMjyigIjhnRCSE+LyW4+m8wvF0XnY8reu3RUgJYF0SlBDxhpcPBwdiGn"
    "LSXjoXTysz2Q+nAQ6gxWBHKzIUslIyKRad1ynLl4GsPwBFSTUIOw/CDtNfzf2GEnQ0quOZ"
    "gXisEkNaxSsJxCv5OPRYaWkVSZhriQ431si1MvNw/F0dIkEyIw9HnuslS0NdtAtiEmqJLZ"
    "xNYJnICTTTFTIys0LSqYxn5zVAPjvngkxvFUCGlqVBsubaLqu0AnfLLMmpPMuSKwBr0PGX"
    "zFAFvrcyJ6RALYJqQT/QosmHw4DoC0J7HlNYukViWGclHvJX4mFpJd7gJh45WJRVMbl9js"
    "nVLUjGgEbVMgMGq/bdgqB0n1UbCs4aM2EuvSwqHeDthEBT4LTdD89lyaslrddLWiZWT3Sw"
    "86JqnPs8zkboWqZOoNfwTEDhLopJdFJEY0q3jkPPZAVdVjl71yLSbUzNK9g0MPopCWmsi3"
    "BWRjqI1UmXXS4X8uY+ha6x46jnJdWo92XUGbpA8vaZbz2pGiKW9FaQkskXqApv9QxTlUvI"
    "hbe5XELWktAAsNnKRZJiW1gKc/A+kNX54eZ6Ui9XU5XdYqdrZucmekZ71zWPQBrTjmRFyT"
    "SQ7eIAOfpKe0KrPfG62fRGvnxZMdMJGnsCdU3afUC+D+fSfn+U5tsbJcsaxd5wmVASSirP"
    "qDAL07URK0ImxfTeQRNM/tmO7GOmr8Ni4SpRFc2+j/Y/XgZ+ujluycKPamBG7RpNxS/l3c"
    "cp/yovvtsyh0kNWlFPYlFOwtC0Vg5ETE420QgEiBFuzAe8JCgdedtKbTh1xkhr1Dj5nYG2"
    "w7kWeTmZuJ2OY+f/CsmCYAaMGnhc7LMiMiHfGFMZazxCqkZWRGHKwDTduoRQzQspXLczwO"
    "uSWXsSlbLVODsqsJTZ73U7A5w5im5PXOU7Q7CIbP6bFaZ/W69FFxOdPHN4TYNus4fRuuHW"
    "owUmCwSoo5ea0ODV48fxNfgcHh/DN6evz354CxBN3gT6AjpzBJZmsADLBQY2NBAwg/JBA3"
    "v3Vt8MP4pMaDFjvErpk8we70TT41vt4nEJKh6hX/EIdaJQRKtKSFxM4rTOWfKn/KPkT0sn"
    "yc88bGtVVQw5GZl5sZ2g7hnh3HbuK5nh4jjnhBTK21Emagj2tCfy60RgzktJuHC0BbRYml"
    "NWRjretnlmMYZL1CWRl5IO5lbymlRVpRTd41reB9qMj+8xo0QYUeHLAPNP4U7b9+MIbvpY"
    "aY7gVtSuoiB7QpRtpyBfhiUrhLcxmLJyAByfLSuE3tVjzD6GU8vUAcEOPiHgIdeCK5+guE"
    "DAJ68CSEdJKXR/czHCs8yX7dlX9fkR9BepIzpfMnYlmVN1dZekuYxGThuqoYfIL/UDbQH9"
    "hQjMRTkJ8VZphorgbYLgVRqpSjXrK6Yq1YwLbzupZsp2Omzb6T4MpvhrmvPCCjLINTiqjD"
    "OImmp2pm27sfcbXwt8hmY0RcQPqVP+f3qvC///S2xyffOnNV2sZgEdRywkPyMioZHThiPY"
    "NXUxJ3AiICG8Z3VM9jO+xX5WMtgNZIQu0gRZkbxUM0C/7ArdPjXiwpWFIWP15ft1MiLKtd"
    "O4a0c8vuSATiDdeebXmvgV877klhev961KfVfpHDlduwTqloDOgqyEzN+BMH0pJpVUn4X1"
    "J2RooROYDB1zSy3sgqwqKHoAIz0V0sJyQtIF1zTvL4nKwyPPw0LVRfNS0sHcVgyTck7xB0"
    "Be55RPD8QRH/KMmNqn+rZPlZw6L0OVT5CF5h60yUrNTMfL3T+qIsqDpKWmp023BhiNaIZc"
    "AAL6j4d0ZD6jJPqHMqR/8+MAIBDVwHoLILCRPUUeue565jOZqbE49iKZAEEbzD0cuuXooz"
    "YfVB2aRAW1NH1PhSe9UHhSOgolZKv8JBkhmVzRHVfGEE2DUQkwIjS+GVhieYmpgHwadxvs"
    "cuhzgoIqi+r4+4UF9UzRepllg+gNZJNmAF91Bu1GqMOjZ9N98mBPnjVMn/5+QyMGlB8Xcq"
    "ztsSqLSrewtFILTdnxfPQltuNVQKQKiGwX3uYCIvl8hKpO3XDdZUHOJgsZg7IpIMpnbOjo"
    "CQU2RlWPEgHgL/CSQAOwkyRqAdOJ/qB28xGAjgGWi4gSAWYALDiPGRdOflhjPX92Pjtflt"
    "Che+Qz8nzy5l+AmWkBkqvRFQoBfV5oRf9Z/rS5SmS+GKYXrL6AyN0H4GfHR+TZ2APIMCmR"
    "ROac59OCTmAUy9DIEWTQ14XAMOfID8j/k0uQSM3AFNFfRVlZsIBR77TFFz6LtI5Djii1Io"
    "X05yBl2qLXVBGiPY0QTaa1sB2Zl1Om5K6mZH4xENC9yoIqbqYIbrwI7gQvS1QBXAQ4QF/F"
    "Ez9zQtJZ5M3HMMQbaHl1riKb1jKKa6rPNRFbGrH8AZVIb4Q6hHp95WCxjtVL4VmdCimsBb"
    "BWp5Ty1+7D5PMYgRvlY6d4buXvzaesav73DFNVGGrbhtBwbfqUitkT1GK4laTYZpbBPuWN"
    "Z88AZBKruSMCq4hVy9JgpuVWYvXeQcBdRBwnkQUBjnnI5BBXSh5CkKQsJSxmvub86Q9lSr"
    "WhPtstVP+9cJCthbap+vOHrmnW8RyrktKqpLQsZJsqKd1V+CIOAx2LwZwRkXC9GNaZzEP+"
    "ZB6WJrOq2p1Ae14rTO68IkzunBEmRxRXqtrvEieXF1UJUP3h0crqjaJ9FO3TE2qirzXtUm"
    "boU+QvGFSk6iUtjmol64WbxtvT9RwQNwemkabRGSCJpFqi6QLjp7fxaXc+PQAPWvQqcD2s"
    "I99HPpiihUkDqBwEyOJA1g//qMRatPGQz06Kzd98EHsTI/pj/SgLOoZPHwKdFb1DnmVHcW"
    "amDwiIlhm9gkXukW+jNiuSvn11+b74FcSzTLJizSyAfeBJXjhWKztkggpHQVTxK33RQHj8"
    "Sk8ysK9x6JnIG+k6DtlHohZaVC7setxWg5nGNfKw0zzoRAzQbGdKHMe9/QR0DxnICUwiT5"
    "ZdaJH1MFqCYXRwAz2JDzyOrx/IBPt1/E9W/nXzD9i+AisiutMc63goRYzhjIgiG2qQDeR3"
    "i5VFXQtIRzdc1mEbLvlkw2WJa5hCH2mhJ4RvVkY6iIfn53Um8Pk5fwbTe6XEx3Sd1+J1vo"
    "z3BH3lhc8wpSVAvkqVGv8xyWlRpSqda03q9v7ufdq8WLozPwymv/4NZaujKj4wL6hiBAVi"
    "BFVKe4dhxjPkoYTHyqPNrwucE1KVgavXnB0qA6/x1fwV+Xc3G5vZhSL3+0zuR6UeA3oOGd"
    "7FkcMQV+Pd+/FWBUG7cI+qKiLfCVepqoioKiI9dJY2U0XEX5iujRzWaQYilUQek24Odvfv"
    "torIGi6GxyELJd/X4Gdb1aod4kJPR1bie43rdYAva6U+qtOBQw9kTquO6P+odOvaWUALtH"
    "oo8FYlN0Pzj/jswFmAPPIn3QdxGAAL46e4mkjypNAF0xUtRJKp9BFtrzSuHgIfkWGN3NG1"
    "/cYZWpxi+kR/HWn058Chad0ujpILVJy9cm9I5t6oYG2qzrjmszY7wtyjM7Oaj76mpy0JAb"
    "wW6NAmSw4uR+nbHNz5TOt1WwDorMxOWPdMq2l/JmOXvNqTYLZGQUw6pqF5oHVsaNBOw0nq"
    "h6jl5aQp7dNx+aoZYvmMKmBPBFTBsF0R54RZXJkO9FZigRbTVYD8w8O9CsLE27MmysjCcX"
    "VzN3r4J9sffcXwDl39czIesUCPcRNYzPNS0q3lZ3VI4zM+Z3xWoowP5HjOhJ/uBuUWLBm4"
    "1MSRzktJN5lPhrWORBtWnIg2LM1nipl43fq8lHRIn9ZyNp1WOJtOy86meGbucgxZVlC5bp"
    "Xr9sC+plZctzkqV/CDKsqqb6rP31Q0UPucOczsQI35oYy52OnDZUnp1tMWCCoVB/MdxsGo"
    "mquyjTpjbS3VXE0SCMXin/JCEjGjchVePfgAgoqQskxC7p5BZeV04MOaunWDy/IfbS68jL"
    "wCuPt0eytWjGNrMZR7B00w+afmQOxcCuVF53lLhVD2i0Wz/fcEvyVcDVjRaJu7R5XxaLav"
    "zTMNBfLeHz88guQZYIY9MHIMD5sGQI7hYoIReEV0ckjQ1C0cRkdApSeD+8h7Rh6j/GrTna"
    "t8934FhB1OvnB3IWFtZAzT45RFi0VmZSTEuRVPigt9f0kW/R3SshmiUqDedVa2yhDuLENY"
    "UUb8teYwyYODSZ06eK1or8JZW5OsBI2wnVOsDsIIE0yw2ssI+z0urjhOrJIBwxIrNjmqMs"
    "eSYo0ayrauYZN9erileTOJ8YSjc34Dspf58fG69CjgI+CHUyo2RQY92MLHNgJf4myf//oC"
    "0DPNJmOZZI32XSeXZz3Jk21aZe10aqQJ2mfymmatBDFk30wA5YKYdA7OVsyzeN0pw8yvZ7"
    "OR6EcxG/o8aYrZmI5uhQbSXOT52IGWRpcgQcuN24cqqyVgyfmIWGTBDqxFSVCKZV9xFtJy"
    "Fobp099v7BDwzBCVbtsd1lJxhhUqzpCh4qTAiRNFBVEVsdefqJIyM2QgaGimo0HNIy1KI8"
    "01xEpy0qQ5NhZaoqhWPtTyUq0xVbXTupmTVMtmn5fNXhDqL/0Rq1pkB0iV88L04lOb9yxF"
    "lvDkmcOiJQG91YpkBdT4/odah3Cn7gfhc7h/mUw+gkSK1gUjPRNj1YuOySa3I1qNOgaiP9"
    "YhXLQiWNJyBSw85xzI3WTndfwPWeeL8OHcVVUmJPNAvPC5UzgMpvir8CFgOTGJwto7LviR"
    "flqClYQKYlLQh23Xn4gWOBGQ1wISwntap+7YKb/u2Gmp7lgctO2E9pQV374llWMjJtFS0h"
    "iNkdEj6mYdbSS6M3RODgROdTZ560UIk8IbOtGNhezznJRaCspzV7hChrzFMVopNWOEXmRg"
    "azbDDudT8XkpRcQrIl4R8WDNAIixtAUpRdRuJ2qzVMueXC0jzvbAsK7L2hbmmShx2yYdOU"
    "KeqS8GDBoyuXNURT/CTZttrCMfVJXz2a9w4mfk+YLBrhkRCY2WVjI+6UclgHDSXEJ0T2op"
    "1ycVyvUJ49Aw7ARMDo4fSZwR6T6U+GU88Y0FDe+VLLXvZvbt/wFewp4G"
)
