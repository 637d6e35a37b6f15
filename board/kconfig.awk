# Resolve a tether config without a Kconfig tool.
#
#   awk -f board/kconfig.awk -v mode=MODE Kconfig [CONFIG...]
#
# MODE config:        print a complete .config (defaults + CONFIG files)
# MODE header:        print the C header for a complete .config
# MODE savedefconfig: print only the symbols that differ from defaults
#
# Understands the Kconfig subset tether uses: bool/int/string symbols,
# "default", "depends on" with && and !. A config that contradicts itself
# (a symbol set twice, a bool that is not y/n, an int that is not a number,
# a y whose dependencies are off) is an error: exit 1, one line per problem.

function fail(msg) { print "kconfig: " msg > "/dev/stderr"; bad = 1 }

function unquote(s) { sub(/^"/, "", s); sub(/"$/, "", s); return s }

function deps_met(sym,    n, t, i, term, neg) {
	if (dep[sym] == "") return 1
	n = split(dep[sym], t, /[ \t]*&&[ \t]*/)
	for (i = 1; i <= n; i++) {
		term = t[i]; gsub(/[ \t]/, "", term)
		neg = sub(/^!/, "", term)
		if (!(term in type)) { fail(sym " depends on unknown symbol " term); return 0 }
		if ((val[term] == "y") == neg) return 0
	}
	return 1
}

function kconfig_line(    kw) {
	if (inhelp) {
		if ($0 ~ /^(config|menu|endmenu|comment|mainmenu|choice|endchoice|if|endif|source)([ \t]|$)/) inhelp = 0
		else return
	}
	kw = $1
	if (kw == "config") { cur = $2; order[++nsym] = cur; type[cur] = ""; return }
	if (cur == "") return
	if (kw == "bool" || kw == "int" || kw == "string") { type[cur] = kw; return }
	if (kw == "default") { d = $0; sub(/^[ \t]*default[ \t]+/, "", d); def[cur] = unquote(d); return }
	if (kw == "depends") {
		d = $0; sub(/^[ \t]*depends[ \t]+on[ \t]+/, "", d)
		if (d ~ /\|\||\(/) { fail(cur ": only && and ! are supported in depends on"); return }
		dep[cur] = dep[cur] == "" ? d : dep[cur] " && " d; return
	}
	if (kw == "help" || kw == "---help---") { inhelp = 1; return }
	if (kw ~ /^(menu|endmenu|comment|mainmenu)$/) cur = ""
}

function config_line(    name, v) {
	if ($0 ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) { name = $2; v = "n" }
	else if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) {
		name = $0; sub(/=.*/, "", name)
		v = $0; sub(/^[^=]*=/, "", v)
	} else if ($0 ~ /^[ \t]*(#.*)?$/) return
	else { fail(FILENAME ":" FNR ": not a config line: " $0); return }
	sub(/^CONFIG_/, "", name)
	if (!(name in type)) { print "kconfig: " FILENAME ":" FNR ": unknown symbol CONFIG_" name ", ignored" > "/dev/stderr"; return }
	if (type[name] == "string") {
		if (v !~ /^".*"$/) { fail(FILENAME ":" FNR ": CONFIG_" name " must be a quoted string"); return }
		v = unquote(v)
	} else if (type[name] == "int") {
		if (v !~ /^-?[0-9]+$/) { fail(FILENAME ":" FNR ": CONFIG_" name " must be a number, not " v); return }
	} else if (v != "y" && v != "n") { fail(FILENAME ":" FNR ": CONFIG_" name " must be y or n, not " v); return }
	if ((name, FILENAME) in seen && set[name] != v)
		fail(FILENAME ":" FNR ": CONFIG_" name " set twice (" set[name] " and " v ")")
	seen[name, FILENAME] = 1
	set[name] = v
}

FNR == 1 { fileno++ }
fileno == 1 { kconfig_line(); next }
{ config_line() }

END {
	if (bad) exit 1
	for (i = 1; i <= nsym; i++) {
		s = order[i]
		if (type[s] == "") { fail(s ": no type"); continue }
		v = (s in set) ? set[s] : (type[s] == "bool" && def[s] == "") ? "n" : def[s]
		if (type[s] == "bool" && v == "y" && !deps_met(s)) {
			if (s in set) fail("CONFIG_" s "=y conflicts with its dependencies (" dep[s] ")")
			v = "n"
		}
		val[s] = v
	}
	if (bad) exit 1
	for (i = 1; i <= nsym; i++) {
		s = order[i]; v = val[s]
		if (mode == "header") {
			if (type[s] == "bool") printf "#define CONFIG_%s %d\n", s, v == "y"
			else if (type[s] == "string") printf "#define CONFIG_%s \"%s\"\n", s, v
			else printf "#define CONFIG_%s %s\n", s, v
		} else if (mode == "savedefconfig" && v == (type[s] == "bool" && def[s] == "" ? "n" : def[s])) {
			continue
		} else if (type[s] == "bool") {
			if (v == "y") printf "CONFIG_%s=y\n", s
			else printf "# CONFIG_%s is not set\n", s
		} else if (type[s] == "string") printf "CONFIG_%s=\"%s\"\n", s, v
		else printf "CONFIG_%s=%s\n", s, v
	}
}
