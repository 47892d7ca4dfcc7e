-- Which inbound texts hold personal data the team should hide: an e-mail address, a phone
-- number (international +/00 form; French 0X XX XX XX XX, all pairs separated or none; UK
-- 07XXX XXXXXX) or an IBAN. The French form wants consistent pairs so that the digit groups
-- of an IBAN do not read as a phone. One row per item whose text matches at least one
-- pattern: flags only, never the text. The text is read from restricted.rst_inbound_texts
-- (one row per fct_inbound_items item_key, the only model holding it). Patterns avoid
-- backslashes (character classes instead): engines whose literals process escapes read them
-- alike.
{%- set email = "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}" %}
{%- set phone = "(^|[^A-Za-z0-9])([+]|00)[1-9][0-9]{0,2}[ .-]?([(]0[)])?[ .-]?[0-9]([ .-]?[0-9]){7,11}"
    ~ "|(^|[^0-9])0[1-9]([ .-][0-9]{2}){4}([^0-9]|$)"
    ~ "|(^|[^0-9])0[1-9][0-9]{8}([^0-9]|$)"
    ~ "|(^|[^0-9])07[0-9]{3} ?[0-9]{6}([^0-9]|$)" %}
{%- set iban = "(^|[^A-Za-z0-9])[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){3,7}( ?[A-Z0-9]{1,4})?([^A-Za-z0-9]|$)" %}

with flags as (
    select
        item_key,
        platform,
        coalesce(regexp_extract(item_text, '{{ email }}', 0) <> '', false) as has_email,
        coalesce(regexp_extract(item_text, '{{ phone }}', 0) <> '', false) as has_phone,
        coalesce(regexp_extract(item_text, '{{ iban }}', 0) <> '', false) as has_iban
    from {{ ref('rst_inbound_texts') }}
)

select item_key, platform, has_email, has_phone, has_iban
from flags
where has_email or has_phone or has_iban
