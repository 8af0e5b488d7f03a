from shuangsuiji.cli.main import main

main()
