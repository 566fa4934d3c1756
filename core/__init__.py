"""The ground floor every layer may use: the tenant row and name, pinyin, duration and cron helpers."""
