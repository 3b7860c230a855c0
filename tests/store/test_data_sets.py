from __future__ import annotations

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import select

from amarcord.db.models import Run
from amarcord.domain.errors import NotFound
from amarcord.store.data_sets import data_set_of_run, run_numbers_in_data_set
from tests.support.experiments import (
    BOOLEAN,
    STRING,
    create_attributi,
    create_data_set,
    create_experiment_type,
    put_run,
)
from tests.support.factories import create_beamtime


async def _run(app: Quart, beamtime_id: int, number: int) -> Run:
    async with app.extensions["amarcord"].database.read() as session:
        run = await session.scalar(
            select(Run).where(Run.beamtime_id == beamtime_id, Run.number == number)
        )
        assert run is not None
        return run


async def test_run_numbers_and_the_data_set_of_a_run(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    ids = await create_attributi(client, bt, {"sample": STRING, "dark": BOOLEAN})
    type_id = (await create_experiment_type(client, bt, "Serial", list(ids.values())))["id"]
    other = (await create_experiment_type(client, bt, "Other", [ids["sample"]]))["id"]
    for number in (1, 2, 4):
        await put_run(client, bt, number, type_id, sample="lyso")
    await put_run(client, bt, 3, type_id, sample="lyso", dark=True)
    await put_run(client, bt, 5, other, sample="lyso")
    await put_run(client, bt, 6, None, sample="lyso")
    await put_run(client, bt, 7, type_id, sample="thau")
    await create_data_set(client, bt, experiment_type_id=other, attributi={"sample": "lyso"})
    light = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"sample": "lyso"}
    )
    dark = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"sample": "lyso", "dark": True}
    )
    database = app.extensions["amarcord"].database
    async with database.read() as session:
        assert await run_numbers_in_data_set(session, bt, light["id"]) == [1, 2, 4]
        assert await run_numbers_in_data_set(session, bt, dark["id"]) == [3]
        with pytest.raises(NotFound):
            await run_numbers_in_data_set(session, bt + 1, light["id"])
        found = await data_set_of_run(session, bt, await _run(app, bt, 4))
        assert found is not None and (found[0].id, found[1]) == (light["id"], [1, 2, 4])
        found = await data_set_of_run(session, bt, await _run(app, bt, 3))
        assert found is not None and (found[0].id, found[1]) == (dark["id"], [3])
        assert await data_set_of_run(session, bt, await _run(app, bt, 6)) is None
        assert await data_set_of_run(session, bt, await _run(app, bt, 7)) is None
