{#- GA4's default channel group for manual traffic, the rule set of
    ../shared/reference/attribution_web_analytics.md section 2.2, in GA4's order: the first
    rule that matches wins, comparisons are case-insensitive. `source_category` is the
    ga4_source_categories seed's category of the source (SEARCH, SOCIAL, SHOPPING, VIDEO or
    NULL), joined by the caller on the normalised source. A source without a medium arrives
    with medium '(not set)' (GA4's placeholder), never NULL. One unit test per rule:
    models/marts/conversion/_conversion__sessions_unit_tests.yml. -#}
{% macro ga4_channel_group(source, medium, campaign, source_category) -%}
    {%- set s = 'lower(coalesce(' ~ source ~ ", ''))" -%}
    {%- set m = 'lower(coalesce(' ~ medium ~ ", ''))" -%}
    {%- set c = 'lower(coalesce(' ~ campaign ~ ", ''))" -%}
    {%- set cat = 'upper(coalesce(' ~ source_category ~ ", ''))" -%}
    {#- Paid regex ^(.*cp.*|ppc|retargeting|paid.*)$ and shop regex on the campaign. -#}
    {%- set paid = '(' ~ m ~ " like '%cp%' or " ~ m ~ " in ('ppc', 'retargeting') or " ~ m ~ " like 'paid%')" -%}
    {%- set shop = regex_matches(c, '^(.*(([^a-df-z]|^)shop|shopping).*)$') -%}
    case
        when {{ s }} = '(direct)' and {{ m }} in ('(not set)', '(none)') then 'Direct'
        when {{ c }} like '%cross-network%' then 'Cross-network'
        when ({{ cat }} = 'SHOPPING' or {{ shop }}) and {{ paid }} then 'Paid Shopping'
        when {{ cat }} = 'SEARCH' and {{ paid }} then 'Paid Search'
        when {{ cat }} = 'SOCIAL' and {{ paid }} then 'Paid Social'
        when {{ cat }} = 'VIDEO' and {{ paid }} then 'Paid Video'
        when {{ m }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm') then 'Display'
        when {{ paid }} then 'Paid Other'
        when {{ cat }} = 'SHOPPING' or {{ shop }} then 'Organic Shopping'
        when {{ cat }} = 'SOCIAL'
            or {{ m }} in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
            then 'Organic Social'
        when {{ cat }} = 'VIDEO' or {{ m }} like '%video%' then 'Organic Video'
        when {{ cat }} = 'SEARCH' or {{ m }} = 'organic' then 'Organic Search'
        when {{ m }} in ('referral', 'app', 'link') then 'Referral'
        when {{ s }} in ('email', 'e-mail', 'e_mail', 'e mail')
            or {{ m }} in ('email', 'e-mail', 'e_mail', 'e mail')
            then 'Email'
        when {{ m }} = 'affiliate' then 'Affiliates'
        when {{ m }} = 'audio' then 'Audio'
        when {{ s }} = 'sms' or {{ m }} = 'sms' then 'SMS'
        when {{ m }} like '%push' or {{ m }} like '%mobile%' or {{ m }} like '%notification%'
            or {{ s }} = 'firebase'
            then 'Mobile Push Notifications'
        else 'Unassigned'
    end
{%- endmacro %}
