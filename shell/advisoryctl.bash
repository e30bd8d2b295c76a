# bash completion for advisoryctl(1): commands, options, source ids (built-in and those the
# configuration defines) and ISO 3166-1 country codes.
# Installed as $(COMPLETIONDIR)/advisoryctl; needs nothing from the bash-completion package.

_advisoryctl_commands="status history changes sources notifications feed timeline extract import accept"
_advisoryctl_global="-c --config --database --json --csv --local -h --help --version"
_advisoryctl_builtin_sources="au ca de no uk us"
# ISO 3166-1 alpha-2, and XK (Kosovo) as the governments publish it
_advisoryctl_countries="AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI
BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ
GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT
PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA
ZM ZW"

# The [source:ID] sections of a configuration file and its drop-ins.
_advisoryctl_config_sources() {
    local f
    for f in "$1" "$1".d/*.conf; do
        [[ -r $f ]] || continue
        sed -n 's/^[[:space:]]*\[source:\([^]]*\)\].*/\1/p' "$f"
    done
}

_advisoryctl_words() {
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_advisoryctl_files() {
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

_advisoryctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local config=/etc/advisoryd/advisoryd.conf cmd='' i sources

    # the command is the first word that is neither an option nor an option's value
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -c | --config)
            config=${COMP_WORDS[i + 1]}
            ((i++))
            ;;
        --database | --source | --since | --until | --at | --url | --output | --min-level)
            ((i++))
            ;;
        -*) ;;
        *)
            if [[ -z $cmd ]]; then
                cmd=${COMP_WORDS[i]}
            fi
            ;;
        esac
    done

    case $prev in
    -c | --config | --database | --output)
        _advisoryctl_files "$cur"
        return
        ;;
    --source)
        sources="$_advisoryctl_builtin_sources $(_advisoryctl_config_sources "$config")"
        _advisoryctl_words "$sources" "$cur"
        return
        ;;
    --min-level)
        _advisoryctl_words "1 2 3 4" "$cur"
        return
        ;;
    --since | --until | --at)
        _advisoryctl_words "12h 1d 7d 30d 365d $(date -u +%Y-%m-%d 2>/dev/null)" "$cur"
        return
        ;;
    --url)
        return
        ;;
    esac

    local common="--json --csv --local" options='' countries=no files=no
    case $cmd in
    "")
        if [[ $cur == -* ]]; then
            _advisoryctl_words "$_advisoryctl_global" "$cur"
        else
            _advisoryctl_words "$_advisoryctl_commands" "$cur"
        fi
        return
        ;;
    status) options="--min-level" countries=yes ;;
    history) options="--source --since" countries=yes ;;
    changes) options="--since --source --min-level" ;;
    sources) ;;
    notifications) options="--pending --failed" ;;
    feed) options="--since --output" ;;
    timeline) options="--since --until --svg --output" countries=yes ;;
    extract) options="--source --url" files=yes ;;
    import) options="--source --at --url" files=yes ;;
    accept)
        if [[ $cur != -* ]]; then
            sources="$_advisoryctl_builtin_sources $(_advisoryctl_config_sources "$config")"
            _advisoryctl_words "$sources" "$cur"
            return
        fi
        ;;
    *) return ;;
    esac

    if [[ $cur == -* ]]; then
        _advisoryctl_words "$options $common" "$cur"
    elif [[ $files == yes ]]; then
        _advisoryctl_files "$cur"
    elif [[ $countries == yes ]]; then
        if [[ $cur == [a-z]* ]]; then
            _advisoryctl_words "${_advisoryctl_countries,,}" "$cur"
        else
            _advisoryctl_words "$_advisoryctl_countries" "$cur"
        fi
    fi
}

complete -o filenames -F _advisoryctl advisoryctl
