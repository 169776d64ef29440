# fish completion for tr-block
set -l subs add remove list show expire sync apply approve reject undo publish render devices
function __tr_block_devices
    tr-block devices 2>/dev/null | cut -f1
end
complete -c tr-block -f
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a add -d 'Block a value on one or more devices'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a remove -d 'Lift a block now'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a list -d 'List blocks'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a show -d 'One block with its history'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a expire -d 'Lift every block whose time is up'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a sync -d 'Compare a device with the store and repair drift'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a apply -d 'Block per policy rules from records'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a approve -d 'Approve a pending block'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a reject -d 'Reject a pending block'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a undo -d 'Undo a block'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a publish -d 'Rewrite the published list files'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a render -d 'Print what a device holds, in its syntax'
complete -c tr-block -n "not __fish_seen_subcommand_from $subs" -a devices -d 'List the configured devices'
complete -c tr-block -s h -l help -d 'Show help'
complete -c tr-block -l version -d 'Show version'
complete -c tr-block -l config -r -F -d 'Configuration file'
complete -c tr-block -l store -r -F -d 'Case store'
complete -c tr-block -s q -l quiet -d 'Show errors only'
complete -c tr-block -s v -l verbose -d 'More diagnostics'
complete -c tr-block -l strict -d 'Stop at the first rejected record'
complete -c tr-block -l unbuffered -d 'Flush every record'
complete -c tr-block -s o -l output -r -F -d 'Write to file'
complete -c tr-block -l max-line -r -d 'Longest line accepted (bytes)'
complete -c tr-block -l dry-run -d 'Show what would be sent; change nothing'
complete -c tr-block -l offline -d 'No network'
complete -c tr-block -l actor -r -d 'Who is acting'
for v in ip cidr domain url user host message-id
    complete -c tr-block -n '__fish_seen_subcommand_from add remove' -l $v -r -d "Block value ($v)"
end
complete -c tr-block -n '__fish_seen_subcommand_from add remove list sync render publish' -l device -r -a '(__tr_block_devices)' -d 'Device name'
complete -c tr-block -n '__fish_seen_subcommand_from add' -l ttl -r -a '1h 24h 7d 30d none' -d 'How long'
complete -c tr-block -n '__fish_seen_subcommand_from add remove reject' -l reason -r -d 'Why'
complete -c tr-block -n '__fish_seen_subcommand_from add list' -l incident -r -d 'Incident id'
complete -c tr-block -n '__fish_seen_subcommand_from add' -l require-approval -d 'Wait for approval'
complete -c tr-block -n '__fish_seen_subcommand_from remove' -l cooldown -r -a '1h 24h 7d' -d 'No automatic block for this long'
complete -c tr-block -n '__fish_seen_subcommand_from list' -l format -r -a 'table json' -d 'Output format'
complete -c tr-block -n '__fish_seen_subcommand_from list' -l state -r -a 'pending planned applied renewed removed expired rejected undone failed' -d 'Only this state'
complete -c tr-block -n '__fish_seen_subcommand_from list' -l all -d 'Include ended blocks'
complete -c tr-block -n '__fish_seen_subcommand_from sync' -l from-file -r -F -d 'Device listing saved to a file'
complete -c tr-block -n '__fish_seen_subcommand_from apply' -l policy -r -F -d 'Policy file'
complete -c tr-block -n '__fish_seen_subcommand_from apply' -F
