{#- Spark implementations of dbt's cross-database macros where dbt-spark's own one does not
    take what the project passes. dbt searches the root project first for <adapter>__<name>
    of the `dbt` namespace, so these replace dbt-spark's on the spark target only. -#}

{#- dbt-spark's split_part needs a literal part number; inbound_rule_keywords passes a column.
    Spark's own split_part (3.3+) takes an expression, with a literal (not regex) delimiter,
    and returns '' past the last part, as DuckDB does
    (https://spark.apache.org/docs/latest/api/sql/#split_part). -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{#- Seeds on Spark: dbt-spark's session method pastes each value into the INSERT as '<value>'
    without escaping (dbt/adapters/spark/session.py, _fix_binding), so a quote in a seed
    (pillar_rules: "customers' trust") breaks the statement and an empty cell becomes the text
    'None'. The same INSERT with the values written as SQL literals. The spark target reads
    literals raw (spark.sql.parser.escapedStringLiterals, as DuckDB does, for the regexes of the
    models), so a quote is spliced in with chr(39) rather than escaped. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for col_name in agate_table.column_names -%}
          {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
          cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
          {%- if not loop.last %}, {% endif -%}
        {%- endfor -%})
        {%- if not loop.last %},{% endif %}
      {% endfor -%}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- do statements.append(sql) -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
  {%- if value is none -%}null
  {%- elif value is sameas true or value is sameas false -%}{{ value | string | lower }}
  {%- elif value is number -%}{{ value }}
  {%- else -%}{{ "concat('" ~ (value | string).split("'") | join("', chr(39), '") ~ "')" if "'" in (value | string) else "'" ~ value ~ "'" }}
  {%- endif -%}
{%- endmacro %}

{#- dbt-spark's listagg ignores order_by_clause (it warns), so "the first 3 ids in order"
    becomes any 3. Ordered here: the values are collected with their sort keys, sorted, cut and
    joined (array_sort orders structs field by field; NULL values are left out, as string_agg
    does). Keys are "a, b desc, ...": a descending key must be numeric (it sorts negated). -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if not order_by_clause -%}
    {{ return(dbt_spark.spark__listagg(measure, delimiter_text, order_by_clause, limit_num)) }}
  {%- endif -%}
  {%- set keys = [] -%}
  {%- for key in (order_by_clause | trim)[9:].split(',') if (order_by_clause | trim | lower).startswith('order by ') -%}
    {%- set key = key | trim -%}
    {%- if (key | lower).endswith(' desc') -%}
      {%- do keys.append('-(' ~ key[:-5] ~ ')') -%}
    {%- else -%}
      {%- do keys.append(key[:-4] if (key | lower).endswith(' asc') else key) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if not keys -%}
    {{ exceptions.raise_compiler_error("spark__listagg: cannot read the order of: " ~ order_by_clause) }}
  {%- endif -%}
  {%- set collected -%}
    filter(array_sort(collect_list(struct({% for k in keys %}{{ k }} as listagg_key_{{ loop.index }}, {% endfor %}{{ measure }} as listagg_value))), x -> x.listagg_value is not null)
  {%- endset -%}
  {%- if limit_num -%}
    {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}
  {%- endif -%}
  array_join(transform({{ collected }}, x -> x.listagg_value), {{ delimiter_text }})
{%- endmacro %}
