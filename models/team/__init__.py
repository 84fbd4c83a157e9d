"""The people and chats of a store on Telegram: members and rights, which card each chat shows, the
bot's identity, webhook update ids."""
